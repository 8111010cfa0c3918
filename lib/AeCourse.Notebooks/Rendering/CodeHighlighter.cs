using System.Net;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace AeCourse.Notebooks.Rendering;

/// <summary>
/// C# to highlighted HTML, done at render time with Roslyn's own tokenizer (script rules, so notebook directives
/// parse): keywords, strings, numbers, comments, directives and type names each get a CSS class. No JavaScript needed.
/// </summary>
public static class CodeHighlighter
{
    /// <summary>HTML for <paramref name="code"/>, every character escaped, spans with classes kw, str, num, com, dir, type.</summary>
    public static string ToHtml(string code)
    {
        var tree = CSharpSyntaxTree.ParseText(code, new CSharpParseOptions(kind: SourceCodeKind.Script, documentationMode: DocumentationMode.None));
        var html = new StringBuilder();
        foreach (var token in tree.GetRoot().DescendantTokens(descendIntoTrivia: true))
        {
            AppendTrivia(html, token.LeadingTrivia);
            Append(html, token.Text, ClassOf(token));
            AppendTrivia(html, token.TrailingTrivia);
        }
        return html.ToString();
    }

    static void AppendTrivia(StringBuilder html, SyntaxTriviaList trivia)
    {
        foreach (var t in trivia)
        {
            if (t.HasStructure) continue;   // directive trivia: its tokens come through DescendantTokens
            var kind = t.Kind();
            var cssClass = kind is SyntaxKind.SingleLineCommentTrivia or SyntaxKind.MultiLineCommentTrivia
                or SyntaxKind.SingleLineDocumentationCommentTrivia or SyntaxKind.MultiLineDocumentationCommentTrivia ? "com"
                : kind is SyntaxKind.PreprocessingMessageTrivia or SyntaxKind.DisabledTextTrivia or SyntaxKind.SkippedTokensTrivia ? "dir"
                : null;
            Append(html, t.ToFullString(), cssClass);
        }
    }

    static string? ClassOf(SyntaxToken token)
    {
        if (token.Parent is not null && token.Parent.AncestorsAndSelf().Any(n => n is Microsoft.CodeAnalysis.CSharp.Syntax.DirectiveTriviaSyntax))
            return "dir";   // #r "nuget: …", #load …; Polyglot's #! magics are shown as directives too
        var kind = token.Kind();
        if (SyntaxFacts.IsKeywordKind(kind) || SyntaxFacts.IsContextualKeyword(kind) && token.Parent is not Microsoft.CodeAnalysis.CSharp.Syntax.IdentifierNameSyntax) return "kw";
        if (kind is SyntaxKind.StringLiteralToken or SyntaxKind.CharacterLiteralToken or SyntaxKind.InterpolatedStringStartToken
            or SyntaxKind.InterpolatedStringEndToken or SyntaxKind.InterpolatedStringTextToken or SyntaxKind.SingleLineRawStringLiteralToken
            or SyntaxKind.MultiLineRawStringLiteralToken or SyntaxKind.InterpolatedSingleLineRawStringStartToken
            or SyntaxKind.InterpolatedMultiLineRawStringStartToken or SyntaxKind.InterpolatedRawStringEndToken) return "str";
        if (kind == SyntaxKind.NumericLiteralToken) return "num";
        if (kind == SyntaxKind.IdentifierToken && token.Text.Length > 0 && char.IsUpper(token.Text[0])) return "type";
        return null;
    }

    static void Append(StringBuilder html, string text, string? cssClass)
    {
        if (text.Length == 0) return;
        var escaped = WebUtility.HtmlEncode(text);
        if (cssClass is null) html.Append(escaped);
        else html.Append("<span class=\"").Append(cssClass).Append("\">").Append(escaped).Append("</span>");
    }
}
