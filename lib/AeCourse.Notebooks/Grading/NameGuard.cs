using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace AeCourse.Notebooks.Grading;

/// <summary>
/// Keeps the instructor's cells seeing the instructor's names when a student cell declares the same ones: the check
/// classes are written fully qualified in the instructor's cells, and names the student declares again are renamed in
/// the student's cells. Rewrites are textual replacements at token spans, so everything else in a cell (directives,
/// comments, layout) stays as written.
/// </summary>
internal static class NameGuard
{
    /// <summary>What a renamed name becomes in the student's cells.</summary>
    public const string Suffix = "__submission";

    /// <summary>Names declared at the top level of a cell: variables, fields, methods, local functions, types.</summary>
    public static IEnumerable<string> TopLevelDeclarations(string cell)
    {
        foreach (var member in Parse(cell).Members)
            switch (member)
            {
                case GlobalStatementSyntax { Statement: LocalDeclarationStatementSyntax local }:
                    foreach (var v in local.Declaration.Variables) yield return v.Identifier.Text;
                    break;
                case GlobalStatementSyntax { Statement: LocalFunctionStatementSyntax function }:
                    yield return function.Identifier.Text;
                    break;
                case FieldDeclarationSyntax field:
                    foreach (var v in field.Declaration.Variables) yield return v.Identifier.Text;
                    break;
                case MethodDeclarationSyntax method: yield return method.Identifier.Text; break;
                case PropertyDeclarationSyntax property: yield return property.Identifier.Text; break;
                case BaseTypeDeclarationSyntax type: yield return type.Identifier.Text; break;
                case DelegateDeclarationSyntax d: yield return d.Identifier.Text; break;
            }
    }

    /// <summary>Simple names a cell refers to (not the member part of <c>a.b</c>): what it expects to find in scope.</summary>
    public static IEnumerable<string> References(string cell) =>
        Parse(cell).DescendantNodes().OfType<IdentifierNameSyntax>().Where(IsFreeReference).Select(n => n.Identifier.Text);

    /// <summary>Writes <c>Check</c> and <c>CheckFailedException</c> as the kit's, whatever a student declared.</summary>
    public static string QualifyChecks(string cell, CheckLibrary checks)
    {
        var names = checks.QualifiedNames;
        var spans = Parse(cell).DescendantNodes().OfType<IdentifierNameSyntax>()
            .Where(n => names.ContainsKey(n.Identifier.Text) && IsFreeReference(n) && n.Parent is not AliasQualifiedNameSyntax)
            .Select(n => (n.Identifier.Span, names[n.Identifier.Text]));
        return Replace(cell, spans);
    }

    /// <summary>
    /// Renames every use and declaration of <paramref name="names"/> in a student's cell (not members of types that
    /// declare a member of that name, not the member part of <c>a.b</c>, not named arguments).
    /// </summary>
    public static string Rename(string cell, IReadOnlySet<string> names)
    {
        if (names.Count == 0) return cell;
        var spans = new List<(TextSpan, string)>();
        foreach (var token in Parse(cell).DescendantTokens())
        {
            if (!token.IsKind(SyntaxKind.IdentifierToken) || !names.Contains(token.Text) || token.Parent is null) continue;
            if (!Renameable(token)) continue;
            if (token.Parent.Ancestors().OfType<TypeDeclarationSyntax>().Any(t => DeclaresMember(t, token.Text))) continue;
            spans.Add((token.Span, token.Text + Suffix));
        }
        return Replace(cell, spans);
    }

    static bool Renameable(SyntaxToken token) => token.Parent switch
    {
        IdentifierNameSyntax name => IsFreeReference(name),
        VariableDeclaratorSyntax declarator => !declarator.Ancestors().Any(a => a is FieldDeclarationSyntax { Parent: TypeDeclarationSyntax }),
        MethodDeclarationSyntax method => method.Parent is not TypeDeclarationSyntax,
        PropertyDeclarationSyntax property => property.Parent is not TypeDeclarationSyntax,
        BaseTypeDeclarationSyntax type => type.Parent is not TypeDeclarationSyntax,
        ConstructorDeclarationSyntax or DestructorDeclarationSyntax => true,
        LocalFunctionStatementSyntax or ParameterSyntax or ForEachStatementSyntax or SingleVariableDesignationSyntax
            or CatchDeclarationSyntax or DelegateDeclarationSyntax => true,
        _ => false,
    };

    static bool DeclaresMember(TypeDeclarationSyntax type, string name) =>
        type.Members.Any(m => m switch
        {
            FieldDeclarationSyntax f => f.Declaration.Variables.Any(v => v.Identifier.Text == name),
            PropertyDeclarationSyntax p => p.Identifier.Text == name,
            MethodDeclarationSyntax m2 => m2.Identifier.Text == name,
            EventFieldDeclarationSyntax e => e.Declaration.Variables.Any(v => v.Identifier.Text == name),
            _ => false,
        }) || type.ParameterList?.Parameters.Any(p => p.Identifier.Text == name) == true;

    /// <summary>A simple name standing for itself: not <c>b</c> in <c>a.b</c>, <c>a?.b</c> or <c>A.B</c>, not a named argument.</summary>
    static bool IsFreeReference(IdentifierNameSyntax name) => name.Parent switch
    {
        MemberAccessExpressionSyntax access => access.Name != name,
        MemberBindingExpressionSyntax => false,
        QualifiedNameSyntax qualified => qualified.Right != name,
        AliasQualifiedNameSyntax alias => alias.Name != name,
        NameColonSyntax or NameEqualsSyntax => false,
        // `new Box { size = 1 }` and `with { size = 1 }` name the object's member.
        AssignmentExpressionSyntax { Parent: InitializerExpressionSyntax initializer } assignment when assignment.Left == name =>
            !initializer.IsKind(SyntaxKind.ObjectInitializerExpression) && !initializer.IsKind(SyntaxKind.WithInitializerExpression),
        _ => true,
    };

    /// <summary>
    /// Parses a cell as a script. Directive lines (<c>#r</c>, <c>#!time</c>, <c>#i</c>, …) are blanked to spaces of the
    /// same length first, so spans found here are spans of the original text.
    /// </summary>
    static CompilationUnitSyntax Parse(string cell)
    {
        var lines = cell.Split('\n');
        for (int i = 0; i < lines.Length; i++)
            if (lines[i].TrimStart().StartsWith('#')) lines[i] = new string(' ', lines[i].Length);
        return CSharpSyntaxTree.ParseText(string.Join('\n', lines), new CSharpParseOptions(LanguageVersion.Latest, kind: SourceCodeKind.Script))
            .GetCompilationUnitRoot();
    }

    static string Replace(string text, IEnumerable<(TextSpan Span, string With)> replacements)
    {
        foreach (var (span, with) in replacements.OrderByDescending(r => r.Span.Start))
            text = text[..span.Start] + with + text[span.End..];
        return text;
    }
}
