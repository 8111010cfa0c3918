using System.Text.RegularExpressions;

namespace AeCourse.Notebooks.Assistance;

/// <summary>
/// The lines of a cell that are Polyglot Notebooks' and not C#: <c>#r "nuget: …"</c>, <c>#i "…"</c> and magic commands
/// (<c>#!time</c>, <c>#!csharp</c>). Roslyn would report them as errors and, worse, parse what follows them badly, so
/// they are turned into spaces of the same length: every offset the front end sends stays valid.
/// </summary>
/// <remarks>
/// <c>#r "file.dll"</c> and <c>#load</c> are C# script directives and stay for Roslyn to read.
/// </remarks>
internal static partial class PolyglotDirectives
{
    /// <summary><paramref name="code"/> with its directive lines blanked.</summary>
    public static string Blank(string code)
    {
        char[]? blanked = null;
        foreach (var line in Lines(code))
        {
            if (!IsDirective(code.AsSpan(line.Start, line.Length))) continue;
            blanked ??= code.ToCharArray();
            Array.Fill(blanked, ' ', line.Start, line.Length);
        }
        return blanked is null ? code : new string(blanked);
    }

    /// <summary>Whether UTF-16 index <paramref name="position"/> lies on a directive line, where C# assistance has nothing to say.</summary>
    public static bool IsOnDirective(string code, int position) =>
        Lines(code).Any(line => position >= line.Start && position <= line.Start + line.Length
                                && IsDirective(code.AsSpan(line.Start, line.Length)));

    /// <summary>Each line's start and length, without its line break (<c>\n</c> or <c>\r\n</c>).</summary>
    static IEnumerable<(int Start, int Length)> Lines(string code)
    {
        int start = 0;
        while (start <= code.Length)
        {
            int end = code.IndexOf('\n', start);
            if (end < 0) end = code.Length;
            int length = end - start;
            if (length > 0 && code[end - 1] == '\r') length--;
            yield return (start, length);
            start = end + 1;
        }
    }

    static bool IsDirective(ReadOnlySpan<char> line)
    {
        var trimmed = line.TrimStart();
        return trimmed.StartsWith("#!") || PackageSource().IsMatch(trimmed) || NuGetReference().IsMatch(trimmed);
    }

    [GeneratedRegex("""^#i(\s|"|$)""")]
    private static partial Regex PackageSource();

    [GeneratedRegex("""^#r\s+"nuget:""")]
    private static partial Regex NuGetReference();
}
