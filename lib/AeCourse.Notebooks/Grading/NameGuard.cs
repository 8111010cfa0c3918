using AeCourse.Notebooks.Execution;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace AeCourse.Notebooks.Grading;

/// <summary>
/// Keeps the instructor's cells seeing the instructor's names when a student cell declares the same ones: the check
/// classes are written fully qualified in the instructor's cells, and names the student declares again are renamed in
/// the student's cells. Rewrites are textual replacements at token spans, so everything else in a cell (directives,
/// comments, layout) stays as written. Names are compared as the compiler reads them, so <c>@size</c> and <c>\u0073ize</c> are <c>size</c>.
/// </summary>
internal static class NameGuard
{
    /// <summary>What a renamed name becomes in the student's cells.</summary>
    public const string Suffix = "__submission";

    static readonly CSharpParseOptions ScriptParsing = new(LanguageVersion.Latest, kind: SourceCodeKind.Script);

    // The core library alone: enough for the compiler to tell which of a cell's variables are the session's fields.
    static readonly Lazy<MetadataReference> CoreLibrary = new(() => MetadataReference.CreateFromFile(typeof(object).Assembly.Location));

    /// <summary>
    /// Names declared at the top level of a cell: variables, fields, events, methods, local functions, types, and the
    /// variables a top-level statement declares in passing (<c>var (a, b) = …</c>, <c>out var n</c>, <c>is int n</c>),
    /// which Roslyn scripting also makes fields of the session.
    /// </summary>
    public static IEnumerable<string> TopLevelDeclarations(string cell)
    {
        var root = Parse(cell);
        foreach (var member in root.Members)
            switch (member)
            {
                case GlobalStatementSyntax { Statement: LocalDeclarationStatementSyntax local }:
                    foreach (var v in local.Declaration.Variables) yield return v.Identifier.ValueText;
                    break;
                case GlobalStatementSyntax { Statement: LocalFunctionStatementSyntax function }:
                    yield return function.Identifier.ValueText;
                    break;
                case BaseFieldDeclarationSyntax field:   // fields and field-like events
                    foreach (var v in field.Declaration.Variables) yield return v.Identifier.ValueText;
                    break;
                case EventDeclarationSyntax e: yield return e.Identifier.ValueText; break;
                case MethodDeclarationSyntax method: yield return method.Identifier.ValueText; break;
                case PropertyDeclarationSyntax property: yield return property.Identifier.ValueText; break;
                case BaseTypeDeclarationSyntax type: yield return type.Identifier.ValueText; break;
                case DelegateDeclarationSyntax d: yield return d.Identifier.ValueText; break;
            }

        // Which designations become fields (`if (o is int n)` does, `while (o is int n)` does not) is the compiler's
        // scoping rule: ask it rather than copy it.
        var designations = root.DescendantNodes().OfType<SingleVariableDesignationSyntax>().ToList();
        if (designations.Count == 0) yield break;
        var model = Model(root);
        foreach (var designation in designations)
            if (model.GetDeclaredSymbol(designation) is IFieldSymbol { ContainingType.IsScriptClass: true })
                yield return designation.Identifier.ValueText;
    }

    /// <summary>Simple names a cell refers to (not the member part of <c>a.b</c>): what it expects to find in scope.</summary>
    public static IEnumerable<string> References(string cell) =>
        Parse(cell).DescendantNodes().OfType<IdentifierNameSyntax>().Where(IsFreeReference).Select(n => n.Identifier.ValueText);

    /// <summary>Writes <c>Check</c> and <c>CheckFailedException</c> as the kit's, whatever a student declared.</summary>
    public static string QualifyChecks(string cell, CheckLibrary checks)
    {
        var names = checks.QualifiedNames;
        var spans = Parse(cell).DescendantNodes().OfType<IdentifierNameSyntax>()
            .Where(n => names.ContainsKey(n.Identifier.ValueText) && IsFreeReference(n) && n.Parent is not AliasQualifiedNameSyntax)
            .Select(n => (n.Identifier.Span, names[n.Identifier.ValueText]));
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
            if (!token.IsKind(SyntaxKind.IdentifierToken) || !names.Contains(token.ValueText) || token.Parent is null) continue;
            if (!Renameable(token)) continue;
            if (token.Parent.Ancestors().OfType<TypeDeclarationSyntax>().Any(t => DeclaresMember(t, token.ValueText))) continue;
            spans.Add((token.Span, token.Text + Suffix));
        }
        return Replace(cell, spans);
    }

    /// <summary>The cell compiled on its own as a script, to ask which declaration a name binds to.</summary>
    static SemanticModel Model(CompilationUnitSyntax root) =>
        CSharpCompilation.CreateScriptCompilation("NameGuard", root.SyntaxTree, [CoreLibrary.Value]).GetSemanticModel(root.SyntaxTree);

    static bool Renameable(SyntaxToken token) => token.Parent switch
    {
        IdentifierNameSyntax name => IsFreeReference(name),
        VariableDeclaratorSyntax declarator => !declarator.Ancestors().Any(a => a is BaseFieldDeclarationSyntax { Parent: TypeDeclarationSyntax }),
        MethodDeclarationSyntax method => method.Parent is not TypeDeclarationSyntax,
        PropertyDeclarationSyntax property => property.Parent is not TypeDeclarationSyntax,
        EventDeclarationSyntax e => e.Parent is not TypeDeclarationSyntax,
        BaseTypeDeclarationSyntax type => type.Parent is not TypeDeclarationSyntax,
        ConstructorDeclarationSyntax or DestructorDeclarationSyntax => true,
        LocalFunctionStatementSyntax or ParameterSyntax or ForEachStatementSyntax or SingleVariableDesignationSyntax
            or CatchDeclarationSyntax or DelegateDeclarationSyntax => true,
        _ => false,
    };

    static bool DeclaresMember(TypeDeclarationSyntax type, string name) =>
        type.Members.Any(m => m switch
        {
            FieldDeclarationSyntax f => f.Declaration.Variables.Any(v => v.Identifier.ValueText == name),
            PropertyDeclarationSyntax p => p.Identifier.ValueText == name,
            MethodDeclarationSyntax m2 => m2.Identifier.ValueText == name,
            EventFieldDeclarationSyntax e => e.Declaration.Variables.Any(v => v.Identifier.ValueText == name),
            _ => false,
        }) || type.ParameterList?.Parameters.Any(p => p.Identifier.ValueText == name) == true;

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
    /// Parses a cell as the engine compiles it: the Polyglot directive lines the engine takes out (<c>#!time</c>,
    /// <c>#r "nuget: …"</c>, <c>#i</c>) are blanked to spaces of the same length, so spans found here are spans of the
    /// original text; C#'s own directives (<c>#if</c>, <c>#load</c>, <c>#r "x.dll"</c>) stay for the parser, which
    /// reads them as the compiler does. (Blanking every line that starts with <c>#</c> would let <c>#if</c> or a line
    /// inside a verbatim string make the guard read different code from the code that runs.)
    /// </summary>
    static CompilationUnitSyntax Parse(string cell)
    {
        var lines = cell.Split('\n');
        for (int i = 0; i < lines.Length; i++)
            if (CellSource.IsPolyglotDirective(lines[i])) lines[i] = new string(' ', lines[i].Length);
        return CSharpSyntaxTree.ParseText(string.Join('\n', lines), ScriptParsing).GetCompilationUnitRoot();
    }

    static string Replace(string text, IEnumerable<(TextSpan Span, string With)> replacements)
    {
        foreach (var (span, with) in replacements.OrderByDescending(r => r.Span.Start))
            text = text[..span.Start] + with + text[span.End..];
        return text;
    }
}
