namespace AeCourse.Notebooks.Assistance;

/// <summary>
/// Jupyter counts cursor positions in Unicode code points (messaging protocol 5.2 and later), .NET strings in UTF-16
/// units: a character outside the Basic Multilingual Plane, such as an emoji, is one of the first and two of the second.
/// </summary>
internal static class CodePoints
{
    /// <summary>The UTF-16 index of code point number <paramref name="codePoints"/>, clamped to the text.</summary>
    public static int ToUtf16(string text, int codePoints)
    {
        int index = 0;
        for (int n = 0; n < codePoints && index < text.Length; n++)
            index += IsPairAt(text, index) ? 2 : 1;
        return index;
    }

    /// <summary>How many code points come before UTF-16 index <paramref name="index"/>.</summary>
    public static int FromUtf16(string text, int index)
    {
        index = Math.Clamp(index, 0, text.Length);
        int count = 0;
        for (int i = 0; i < index; i += IsPairAt(text, i) ? 2 : 1)
            count++;
        return count;
    }

    static bool IsPairAt(string text, int index) =>
        index + 1 < text.Length && char.IsHighSurrogate(text[index]) && char.IsLowSurrogate(text[index + 1]);
}
