using System.Text;
using Microsoft.CodeAnalysis.QuickInfo;

namespace AeCourse.Notebooks.Assistance;

/// <summary>Roslyn's quick info (what an editor shows on hover) as the text/plain and text/markdown of an inspect reply.</summary>
internal static class QuickInfoText
{
    // What detail level 0 shows; the others (returns, remarks, exceptions, captured variables, …) wait for level 1.
    static readonly HashSet<string> Summary =
        [QuickInfoSectionKinds.Description, QuickInfoSectionKinds.DocumentationComments, QuickInfoSectionKinds.TypeParameters, QuickInfoSectionKinds.AnonymousTypes];

    public static InspectionResult Format(QuickInfoItem info, int detailLevel)
    {
        var plain = new StringBuilder();
        var markdown = new StringBuilder();
        foreach (var section in info.Sections.Where(s => detailLevel > 0 || Summary.Contains(s.Kind)))
        {
            var text = section.Text.Trim();
            if (text.Length == 0) continue;
            if (plain.Length > 0) { plain.Append("\n\n"); markdown.Append("\n\n"); }
            if (section.Kind == QuickInfoSectionKinds.Description)
            {
                plain.Append(text);
                markdown.Append("```csharp\n").Append(text).Append("\n```");
                continue;
            }
            // Roslyn heads the sections past the summary itself ("Returns:", "Exceptions:").
            plain.Append(text);
            markdown.Append(Escape(text));
        }
        return new InspectionResult(plain.ToString(), markdown.ToString());
    }

    /// <summary>
    /// Documentation as literal Markdown: its prose names types like <c>List&lt;T&gt;</c>, which a renderer would
    /// take for HTML, and <c>*</c> or <c>_</c> for emphasis.
    /// </summary>
    static string Escape(string text)
    {
        var escaped = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (c is '\\' or '`' or '*' or '_' or '<' or '>' or '[' or ']' or '#' or '|') escaped.Append('\\');
            escaped.Append(c);
        }
        // A line break inside a paragraph would be joined into one line.
        return escaped.ToString().Replace("\n", "  \n");
    }
}
