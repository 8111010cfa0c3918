using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Completion;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Host.Mef;
using Microsoft.CodeAnalysis.QuickInfo;
using Microsoft.CodeAnalysis.Text;

namespace AeCourse.Notebooks.Assistance;

/// <summary>
/// Completion, inspection and is-complete answers for a notebook's C# cells, as a Jupyter kernel gives them
/// (<c>complete_request</c>, <c>inspect_request</c>, <c>is_complete_request</c>). Positions in and out are Unicode
/// code points, as the protocol counts them.
/// </summary>
/// <remarks>
/// <para>
/// Cells are analysed in a Roslyn workspace shaped like the scripting session that runs them: every cell that ran is a
/// submission project whose compilation continues the one before (a project reference between submissions is how a
/// workspace chains script compilations), with the kernel's imports and host object. The cell being typed is the
/// document of one more submission after those, the working project; a request replaces its text in an immutable
/// snapshot of the solution, so requests need no lock while they run and see the earlier cells' compilations, which
/// Roslyn keeps, instead of rebuilding them.
/// </para>
/// <para>Safe to call from any thread, requests concurrently with each other and with <see cref="AddSubmission"/>.</para>
/// </remarks>
public sealed class CodeAssistant
{
    // The workspace lends its services (Roslyn's MEF composition of completion and quick info) and is kept for them; the
    // solutions are the assistant's own, never applied to it.
    readonly AdhocWorkspace _workspace = new(MefHostServices.DefaultHost, WorkspaceKind.Interactive);
    readonly CSharpParseOptions _parseOptions = new(LanguageVersion.Latest, DocumentationMode.Parse, SourceCodeKind.Script);
    readonly CSharpCompilationOptions _compilationOptions;
    readonly Type? _globalsType;

    readonly object _gate = new();
    readonly HashSet<string> _referencedFiles = new(StringComparer.Ordinal);
    ImmutableArray<MetadataReference> _references = [];
    Solution _solution;
    DocumentId _working;
    int _submissions;

    /// <param name="references">What cells compile against (the framework's assemblies, the kit's).</param>
    /// <param name="imports">The namespaces every cell sees (the kernel's default imports).</param>
    /// <param name="globalsType">The scripts' host object type, whose members cells call without a prefix; null for none.</param>
    public CodeAssistant(IEnumerable<MetadataReference> references, IEnumerable<string> imports, Type? globalsType)
    {
        _globalsType = globalsType;
        // Unsafe code allowed, as Roslyn scripting allows it by default.
        _compilationOptions = new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, usings: imports, allowUnsafe: true);
        // The host object's assembly must be referenced, or no submission compiles.
        var all = globalsType is { Assembly.Location: { Length: > 0 } location } ? references.Append(MetadataReference.CreateFromFile(location)) : references;
        _references = NewReferences(all);
        _solution = _workspace.CurrentSolution;
        (_solution, _working) = WithWorkingProject(_solution, previous: null);
    }

    /// <summary>Makes the assemblies of a package a cell loaded visible to the cells that follow it.</summary>
    public void AddReferences(IEnumerable<MetadataReference> references)
    {
        lock (_gate)
        {
            var added = NewReferences(references);
            _references = _references.AddRange(added);
            _solution = _solution.AddMetadataReferences(_working.ProjectId, added);
        }
    }

    /// <summary>Records a cell that compiled and ran: later requests see its variables, methods and types.</summary>
    /// <param name="code">The cell's text; Polyglot directives in it are ignored.</param>
    public void AddSubmission(string code)
    {
        lock (_gate)
        {
            // The working project becomes that submission; the next cell is typed in a new one after it.
            var solution = _solution.WithDocumentText(_working, SourceText.From(PolyglotDirectives.Blank(code)));
            _submissions++;
            (_solution, _working) = WithWorkingProject(solution, previous: _working.ProjectId);
        }
    }

    /// <summary>
    /// Does the slow first requests' work (composing Roslyn's services, binding the references, reading the base
    /// library's documentation), a few seconds, so that a kernel can do it at start-up instead of during the user's
    /// first Tab.
    /// </summary>
    public async Task WarmUpAsync(CancellationToken cancellationToken = default)
    {
        await CompleteAsync("Console.", "Console.".Length, cancellationToken);
        // An instance's members include extension methods, which Roslyn first gathers from every reference.
        await CompleteAsync("\"\".", "\"\".".Length, cancellationToken);
        await InspectAsync("Math.Sqrt", "Math.Sqrt".Length, detailLevel: 0, cancellationToken);
    }

    /// <summary>What can be typed at <paramref name="cursor"/>: the members after a dot, the names in scope elsewhere.</summary>
    /// <param name="code">The whole cell.</param>
    /// <param name="cursor">The cursor, in code points from the start of the cell.</param>
    /// <param name="cancellationToken">Stops the request.</param>
    public async Task<CompletionResult> CompleteAsync(string code, int cursor, CancellationToken cancellationToken = default)
    {
        var position = CodePoints.ToUtf16(code, cursor);
        var empty = CompletionResult.Empty(CodePoints.FromUtf16(code, position));
        if (PolyglotDirectives.IsOnDirective(code, position)) return empty;

        var document = await WorkingDocumentAsync(code, cancellationToken);
        if (CompletionService.GetService(document) is not { } service) return empty;
        var list = await service.GetCompletionsAsync(document, position, cancellationToken: cancellationToken);
        if (list.ItemsList.Count == 0) return empty;

        var span = list.Span;
        var typed = code[span.Start..Math.Max(span.Start, position)].TrimStart('@');
        var (start, end) = (CodePoints.FromUtf16(code, span.Start), CodePoints.FromUtf16(code, span.End));
        var items = list.ItemsList
            // A complex edit (an override's body, a conversion's cast, a using added for an unimported type) changes
            // text outside the span, which a Jupyter match cannot say.
            .Where(item => !item.IsComplexTextEdit && Name(item).StartsWith(typed, StringComparison.OrdinalIgnoreCase))
            .OrderBy(item => Name(item).StartsWith(typed, StringComparison.Ordinal) ? 0 : 1)
            .ThenBy(item => item.SortText, StringComparer.OrdinalIgnoreCase)
            .Select(item => new CompletionItemInfo(InsertionText(item), CompletionKinds.Of(item.Tags), start, end))
            // Overloads come as one item, but a generic and a plain type of one name (Tuple, Tuple<T>) as two.
            .DistinctBy(item => item.Text)
            .ToList();
        return new CompletionResult(items.Select(i => i.Text).ToList(), start, end, items);
    }

    /// <summary>The signature and documentation of what is at <paramref name="cursor"/>; null where there is nothing to show.</summary>
    /// <param name="code">The whole cell.</param>
    /// <param name="cursor">The cursor, in code points: inside a name, just after it, or inside the parentheses of a call.</param>
    /// <param name="detailLevel">0 for the signature and summary; 1 or more adds returns, remarks, exceptions and the like.</param>
    /// <param name="cancellationToken">Stops the request.</param>
    public async Task<InspectionResult?> InspectAsync(string code, int cursor, int detailLevel, CancellationToken cancellationToken = default)
    {
        var position = CodePoints.ToUtf16(code, cursor);
        if (PolyglotDirectives.IsOnDirective(code, position)) return null;

        var document = await WorkingDocumentAsync(code, cancellationToken);
        if (QuickInfoService.GetService(document) is not { } service) return null;
        var info = await service.GetQuickInfoAsync(document, position, cancellationToken);
        // Jupyter front ends inspect after "Math.Sqrt(" too (Shift+Tab in a call): show what is being called.
        if (info is null && CalleeEnd(await document.GetSyntaxRootAsync(cancellationToken), position) is { } callee)
            info = await service.GetQuickInfoAsync(document, callee, cancellationToken);
        return info is null ? null : QuickInfoText.Format(info, detailLevel);
    }

    /// <summary>Whether the cell can run as typed, goes on on the next line (and how far indented), or can never compile.</summary>
    /// <param name="code">The cell so far; Polyglot directives in it are ignored.</param>
    public static CompletenessResult IsComplete(string code) => SubmissionCompleteness.Check(code);

    /// <summary>
    /// The working document holding <paramref name="code"/>, in a fork of the current solution. The working project's
    /// compilation is built in the solution itself first: forks share what it holds (the earlier submissions'
    /// compilations, the bound references), where a fork's own work would be lost with the fork.
    /// </summary>
    async Task<Document> WorkingDocumentAsync(string code, CancellationToken cancellationToken)
    {
        Solution solution;
        DocumentId working;
        lock (_gate) (solution, working) = (_solution, _working);
        await solution.GetProject(working.ProjectId)!.GetCompilationAsync(cancellationToken);
        return solution.WithDocumentText(working, SourceText.From(PolyglotDirectives.Blank(code))).GetDocument(working)!;
    }

    /// <summary>
    /// Adds submission project number <see cref="_submissions"/> after <paramref name="previous"/>, holding one
    /// empty script document, with the references known now.
    /// </summary>
    (Solution Solution, DocumentId Document) WithWorkingProject(Solution solution, ProjectId? previous)
    {
        // Distinct names, as scripting gives its submissions: each compiles to an assembly and script class of its own.
        var name = $"Submission#{_submissions}";
        var project = ProjectId.CreateNewId(name);
        var document = DocumentId.CreateNewId(project, name);
        var info = ProjectInfo.Create(
            project, VersionStamp.Create(), name, name, LanguageNames.CSharp,
            compilationOptions: _compilationOptions.WithScriptClassName(name),
            parseOptions: _parseOptions,
            metadataReferences: _references,
            projectReferences: previous is null ? null : [new ProjectReference(previous)],
            isSubmission: true,
            hostObjectType: _globalsType);
        var text = TextLoader.From(TextAndVersion.Create(SourceText.From(""), VersionStamp.Create()));
        return (solution.AddProject(info).AddDocument(DocumentInfo.Create(document, name, loader: text, sourceCodeKind: SourceCodeKind.Script)), document);
    }

    /// <summary>Those of <paramref name="references"/> not referenced yet (by file), with their XML documentation attached.</summary>
    ImmutableArray<MetadataReference> NewReferences(IEnumerable<MetadataReference> references) =>
        references
            .Where(r => r is not PortableExecutableReference { FilePath: { } path } || _referencedFiles.Add(Path.GetFullPath(path)))
            .Select(ReferenceDocumentation.Attach)
            .ToImmutableArray();

    /// <summary>The name an item is matched by: a keyword used as a name, <c>@class</c>, matches what is typed with or without its @.</summary>
    static string Name(CompletionItem item) => item.FilterText.TrimStart('@');

    /// <summary>What the item puts in the cell: the name as written in code (<c>@class</c>), not as listed.</summary>
    static string InsertionText(CompletionItem item) =>
        item.Properties.TryGetValue("InsertionText", out var text) && !string.IsNullOrEmpty(text) ? text : item.DisplayText;

    /// <summary>Where the name of the method or type ends whose argument list holds <paramref name="position"/>, if one does.</summary>
    static int? CalleeEnd(SyntaxNode? root, int position)
    {
        if (root is null || position == 0) return null;
        var token = root.FindToken(position - 1);
        var arguments = token.Parent?.AncestorsAndSelf().OfType<BaseArgumentListSyntax>()
            .FirstOrDefault(list => list.GetFirstToken().Span.End <= position);
        return arguments?.Parent switch
        {
            InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax member } => member.Name.Span.End,
            InvocationExpressionSyntax call => call.Expression.Span.End,
            ObjectCreationExpressionSyntax creation => creation.Type.Span.End,
            _ => null,
        };
    }
}
