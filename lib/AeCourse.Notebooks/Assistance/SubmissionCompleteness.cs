using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AeCourse.Notebooks.Assistance;

/// <summary>
/// Whether a cell typed in a console front end (<c>jupyter console</c>) is ready to run when the user presses Enter,
/// should go on on the next line, or can never compile. The front end asks at each Enter, so the question is always
/// "can the text that follows a line break make this compile?".
/// </summary>
internal static class SubmissionCompleteness
{
    const string IndentUnit = "    ";

    static readonly CSharpParseOptions ScriptOptions = new(LanguageVersion.Latest, DocumentationMode.None, SourceCodeKind.Script);

    public static CompletenessResult Check(string code)
    {
        var tree = CSharpSyntaxTree.ParseText(PolyglotDirectives.Blank(code), ScriptOptions);
        var root = tree.GetRoot();
        if (!TryOpenBrackets(root, out int open) || HasLiteralCutByLineBreak(root)) return CompletenessResult.Invalid;
        // IsCompleteSubmission misses an unterminated multi-line raw string ("""), which the next line may end.
        bool insideLiteral = EndsInsideLiteralOrComment(root, tree.Length);
        if (!insideLiteral && SyntaxFactory.IsCompleteSubmission(tree)) return CompletenessResult.Complete;
        // Inside a verbatim or raw string, or a comment, spaces typed on the next line would become part of it.
        return CompletenessResult.Incomplete(insideLiteral ? "" : string.Concat(Enumerable.Repeat(IndentUnit, open)));
    }

    /// <summary>
    /// Counts the brackets left open at the end; false when a closing one has no opening one of its kind before it
    /// (<c>}</c> after a complete statement, <c>(]</c>): no text after it can pair it. Roslyn's IsCompleteSubmission
    /// calls such a cell incomplete (it reads a token it did not expect as the start of more), which in a console
    /// would leave the user on a continuation line nothing can end.
    /// </summary>
    static bool TryOpenBrackets(SyntaxNode root, out int open)
    {
        var stack = new Stack<SyntaxKind>();
        // Skipped tokens (what the parser could not place, a stray brace among them) live in trivia.
        foreach (var token in root.DescendantTokens(descendIntoTrivia: true))
        {
            if (token.IsMissing) continue;
            switch (token.Kind())
            {
                case SyntaxKind.OpenBraceToken or SyntaxKind.OpenParenToken or SyntaxKind.OpenBracketToken:
                    stack.Push(token.Kind());
                    break;
                case SyntaxKind.CloseBraceToken or SyntaxKind.CloseParenToken or SyntaxKind.CloseBracketToken:
                    if (stack.Count == 0 || stack.Pop() != Opening(token.Kind())) { open = 0; return false; }
                    break;
            }
        }
        open = stack.Count;
        return true;
    }

    static SyntaxKind Opening(SyntaxKind closing) => closing switch
    {
        SyntaxKind.CloseBraceToken => SyntaxKind.OpenBraceToken,
        SyntaxKind.CloseParenToken => SyntaxKind.OpenParenToken,
        _ => SyntaxKind.OpenBracketToken,
    };

    /// <summary>
    /// A literal that may not span lines cut off by the end of its line: a regular string or character literal (CS1010),
    /// a single-line raw string, or the text of a regular interpolated string outside its holes. Whatever the next line
    /// holds, this one stays an error. Roslyn's IsCompleteSubmission calls a cell ending so incomplete (as the C#
    /// Interactive window does), but a console that waits for more would wait in vain: invalid runs the cell and shows
    /// the error at once. Verbatim and multi-line raw strings, and holes of interpolated strings (C# 11 lets them span
    /// lines), stay incomplete.
    /// </summary>
    static bool HasLiteralCutByLineBreak(SyntaxNode root) =>
        root.DescendantTokens(descendIntoTrivia: true).Any(token => token.Kind() switch
        {
            SyntaxKind.StringLiteralToken or SyntaxKind.CharacterLiteralToken =>
                !token.Text.StartsWith('@') && token.GetDiagnostics().Any(d => d.Id == "CS1010"),
            SyntaxKind.SingleLineRawStringLiteralToken => token.ContainsDiagnostics,
            SyntaxKind.InterpolatedStringStartToken or SyntaxKind.InterpolatedSingleLineRawStringStartToken =>
                token.Parent is InterpolatedStringExpressionSyntax { StringEndToken.IsMissing: true } interpolated
                && interpolated.Contents.LastOrDefault() is not InterpolationSyntax { CloseBraceToken.IsMissing: true },
            _ => false,
        });

    /// <summary>Whether the text ends inside a string or comment that has not ended, such as <c>@"abc</c>, <c>$@"abc</c> or <c>/* abc</c>.</summary>
    static bool EndsInsideLiteralOrComment(SyntaxNode root, int end)
    {
        if (end == 0) return false;
        var token = root.FindToken(end - 1, findInsideTrivia: true);
        if (token.Span.Contains(end - 1))
        {
            if (token.Kind() is SyntaxKind.StringLiteralToken or SyntaxKind.MultiLineRawStringLiteralToken && token.ContainsDiagnostics)
                return true;
            if (token.Kind() is SyntaxKind.InterpolatedStringTextToken or SyntaxKind.InterpolatedStringStartToken
                    or SyntaxKind.InterpolatedVerbatimStringStartToken or SyntaxKind.InterpolatedMultiLineRawStringStartToken
                && token.Parent?.AncestorsAndSelf().OfType<InterpolatedStringExpressionSyntax>().FirstOrDefault() is { StringEndToken.IsMissing: true })
                return true;
        }
        var trivia = root.FindTrivia(end - 1, findInsideTrivia: true);
        return trivia.Kind() is SyntaxKind.MultiLineCommentTrivia or SyntaxKind.MultiLineDocumentationCommentTrivia
               && trivia.Span.End == end && !(trivia.Span.Length >= 4 && trivia.ToString().EndsWith("*/", StringComparison.Ordinal));
    }
}
