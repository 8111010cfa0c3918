using AeCourse.Notebooks.Execution;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace AeCourse.Notebooks.Grading;

/// <summary>How a cell writes a variable.</summary>
internal enum WriteKind
{
    /// <summary>Assigns it: <c>=</c>, compound assignment, <c>++</c>/<c>--</c>, deconstruction, an <c>out</c> argument.</summary>
    Assigns,

    /// <summary>
    /// Takes a reference to it, through which it can be written: <c>ref</c>/<c>in</c> arguments, <c>ref x</c>,
    /// <c>&amp;x</c>, <c>__makeref(x)</c>.
    /// </summary>
    TakesReference,
}

/// <summary>A write, in a cell, to a name the cell does not declare.</summary>
/// <param name="Name">The name as the compiler reads it (<c>@size</c> is <c>size</c>).</param>
/// <param name="Line">1-based line in the cell.</param>
/// <param name="Kind">How it is written.</param>
internal sealed record NameWrite(string Name, int Line, WriteKind Kind);

/// <summary>
/// Keeps the instructor's cells seeing the instructor's names when a student cell declares or writes the same ones: the
/// check classes are written fully qualified in the instructor's cells, names the student declares again are renamed in
/// the student's cells, and a student cell that writes an instructor's variable is found (<see cref="Objection"/>).
/// Rewrites are textual replacements at token spans, so everything else in a cell (directives, comments, layout) stays
/// as written. Names are compared as the compiler reads them, so <c>@size</c> and <c>\u0073ize</c> are <c>size</c>.
/// </summary>
internal static class NameGuard
{
    /// <summary>What a renamed name becomes in the student's cells.</summary>
    public const string Suffix = "__submission";

    static readonly CSharpParseOptions ScriptParsing = new(LanguageVersion.Latest, kind: SourceCodeKind.Script);

    // The core library alone: enough for the compiler to tell a cell's own locals, parameters and members from names
    // that come from elsewhere, which is all the guard asks of it.
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

    /// <summary>
    /// Writes, anywhere in <paramref name="cell"/> (lambdas, local functions and methods included), to names of
    /// <paramref name="names"/> that the cell does not declare: the name, compiled with the cell alone, binds to no local,
    /// parameter or range variable of the cell and to no member of a type the cell declares (or that such a type
    /// inherits). Such a name can only be one of an earlier cell. Member writes (<c>model.size = 1</c>) and discards
    /// are not writes to a name.
    /// </summary>
    public static IReadOnlyList<NameWrite> Writes(string cell, IReadOnlySet<string> names) => Writes(Parse(cell), names);

    /// <summary>Whether a cell loads a script with <c>#load</c> (where the compiler reads it: not in an <c>#if</c> left out).</summary>
    public static bool Loads(string cell) => Load(Parse(cell)) is not null;

    /// <summary>
    /// Why answer <paramref name="answer"/> cannot run as written, or null when it can: it writes a name of
    /// <paramref name="names"/> (the instructor's, see <see cref="Writes(string, IReadOnlySet{string})"/>), or, unless
    /// <paramref name="mayLoad"/> (the source's own solution does), it loads a script with <c>#load</c>, whose code this
    /// analysis never sees.
    /// </summary>
    public static string? Objection(string answer, string cell, IReadOnlySet<string> names, bool mayLoad)
    {
        var root = Parse(cell);
        if (!mayLoad && Load(root) is { } load)
            return $"answer {answer} loads {load.File.ValueText} with #load, whose code the grader cannot check for writes to the instructor's variables; put that code in the cell instead";
        var writes = Writes(root, names);
        if (writes.Count == 0) return null;
        var firsts = writes.GroupBy(w => w.Name).Select(g => g.First()).ToList();
        var what = firsts.Select(w => $"{(w.Kind == WriteKind.Assigns ? "assigns" : "takes a reference to")} {w.Name} (line {w.Line})").ToList();
        var list = what.Count == 1 ? what[0] : string.Join(", ", what.SkipLast(1)) + " and " + what[^1];
        return $"answer {answer} {list}, which the instructor's cells use; declare {(firsts.Count == 1 ? "a variable" : "variables")} of your own instead";
    }

    /// <summary>
    /// What runs instead of a refused answer: a cell that fails with <paramref name="objection"/>. The grader reports an
    /// answer cell's exception by its type's name and message; <see cref="InvalidOperationException"/> says "not
    /// allowed here" without suggesting a fault of the grader or of the system (as an I/O or security exception would).
    /// </summary>
    public static string RefusedCode(string objection) =>
        $"throw new global::System.InvalidOperationException({SymbolDisplay.FormatLiteral(objection, quote: true)});";

    static LoadDirectiveTriviaSyntax? Load(CompilationUnitSyntax root) => root.GetLoadDirectives().FirstOrDefault(d => d.IsActive);

    static IReadOnlyList<NameWrite> Writes(CompilationUnitSyntax root, IReadOnlySet<string> names)
    {
        var candidates = root.DescendantNodes().OfType<IdentifierNameSyntax>()
            // `_ = …` and `out _` are discards, not a variable of that name.
            .Where(n => names.Contains(n.Identifier.ValueText) && n.Identifier.ValueText != "_" && IsFreeReference(n))
            .Select(n => (Name: n, Kind: WriteOf(n)))
            .Where(c => c.Kind is not null)
            .ToList();
        if (candidates.Count == 0) return [];
        var model = Model(root);
        return candidates.Where(c => !IsOwn(model, c.Name))
            .Select(c => new NameWrite(c.Name.Identifier.ValueText, c.Name.GetLocation().GetLineSpan().StartLinePosition.Line + 1, c.Kind!.Value))
            .ToList();
    }

    /// <summary>How the variable <paramref name="name"/> stands for is written where it stands, or null when it is only read.</summary>
    static WriteKind? WriteOf(IdentifierNameSyntax name)
    {
        // `(size) = 0` writes size, and so do `(size, x) = …` and `((size, x), y) = …`.
        ExpressionSyntax target = name;
        while (target.Parent is ParenthesizedExpressionSyntax or ArgumentSyntax { Parent: TupleExpressionSyntax })
            target = target.Parent is ArgumentSyntax { Parent: TupleExpressionSyntax tuple } ? tuple : (ExpressionSyntax)target.Parent;
        return target.Parent switch
        {
            AssignmentExpressionSyntax assignment when assignment.Left == target => WriteKind.Assigns,
            PrefixUnaryExpressionSyntax unary when unary.IsKind(SyntaxKind.PreIncrementExpression) || unary.IsKind(SyntaxKind.PreDecrementExpression) => WriteKind.Assigns,
            PostfixUnaryExpressionSyntax unary when unary.IsKind(SyntaxKind.PostIncrementExpression) || unary.IsKind(SyntaxKind.PostDecrementExpression) => WriteKind.Assigns,
            PrefixUnaryExpressionSyntax unary when unary.IsKind(SyntaxKind.AddressOfExpression) => WriteKind.TakesReference,
            ArgumentSyntax argument when argument.RefKindKeyword.IsKind(SyntaxKind.OutKeyword) => WriteKind.Assigns,
            ArgumentSyntax argument when argument.RefKindKeyword.IsKind(SyntaxKind.RefKeyword) || argument.RefKindKeyword.IsKind(SyntaxKind.InKeyword) => WriteKind.TakesReference,
            RefExpressionSyntax or MakeRefExpressionSyntax => WriteKind.TakesReference,
            _ => null,
        };
    }

    /// <summary>Whether <paramref name="name"/> is the cell's own: see <see cref="Writes(string, IReadOnlySet{string})"/>.</summary>
    static bool IsOwn(SemanticModel model, IdentifierNameSyntax name)
    {
        var info = model.GetSymbolInfo(name);
        var symbol = info.Symbol ?? info.CandidateSymbols.FirstOrDefault();
        var types = name.Ancestors().OfType<TypeDeclarationSyntax>().Select(t => model.GetDeclaredSymbol(t)).OfType<INamedTypeSymbol>().ToList();
        return symbol switch
        {
            ILocalSymbol or IParameterSymbol or IRangeVariableSymbol => true,
            // Unbound inside a type that derives from a type declared elsewhere: it may be an inherited member.
            null => types.Any(t => Lineage(t).Any(b => b.TypeKind == TypeKind.Error)),
            // The cell's own top-level variables, methods and types.
            { ContainingType.IsScriptClass: true } => symbol.DeclaringSyntaxReferences.Any(r => r.SyntaxTree == name.SyntaxTree),
            // A member of a type around it, its own or inherited; not one a `using static` brings in, which an earlier
            // cell's variable of the same name would hide.
            { ContainingType: { } owner } => types.Any(t => Lineage(t).Contains(owner.OriginalDefinition, SymbolEqualityComparer.Default)),
            _ => false,
        };
    }

    /// <summary>A type and its base types.</summary>
    static IEnumerable<INamedTypeSymbol> Lineage(INamedTypeSymbol type)
    {
        for (INamedTypeSymbol? t = type; t is not null; t = t.BaseType) yield return t.OriginalDefinition;
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
