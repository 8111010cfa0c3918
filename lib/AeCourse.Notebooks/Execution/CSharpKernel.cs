using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Scripting;

namespace AeCourse.Notebooks.Execution;

/// <summary>What running one cell gave.</summary>
/// <param name="HasValue">Whether the cell ended with an expression (no semicolon) whose value is shown.</param>
/// <param name="Value">That value.</param>
/// <param name="Exception">An exception the cell's code threw, or null.</param>
public sealed record CellRun(bool HasValue, object? Value, Exception? Exception);

/// <summary>
/// A C# session on Roslyn scripting — the engine under Polyglot Notebooks' C# kernel: each cell is a submission that
/// sees the variables and types of the cells before it. Default imports and <c>display()</c> as in the kernel.
/// </summary>
public sealed class CSharpKernel
{
    /// <summary>The namespaces every cell sees, as in the .NET Interactive C# kernel.</summary>
    public static readonly ImmutableArray<string> DefaultImports =
        ["System", "System.Text", "System.Collections", "System.Collections.Generic", "System.Threading.Tasks", "System.Linq"];

    readonly KernelGlobals _globals = new();
    readonly HashSet<string> _referenced = new(StringComparer.Ordinal);
    readonly IPackageProvider _packages;
    ScriptOptions _options;
    ScriptState<object>? _state;

    /// <param name="baseDirectory">Folder relative <c>#r "x.dll"</c> and <c>#load "x.csx"</c> paths start from.</param>
    /// <param name="packages">Answers <c>#r "nuget: …"</c>.</param>
    public CSharpKernel(string baseDirectory, IPackageProvider packages)
    {
        _packages = packages;
        _options = ScriptOptions.Default
            .WithReferences(FrameworkReferences().Append(MetadataReference.CreateFromFile(typeof(CSharpKernel).Assembly.Location)))
            .WithImports(DefaultImports)
            .WithMetadataResolver(ScriptMetadataResolver.Default.WithBaseDirectory(baseDirectory))
            .WithSourceResolver(ScriptSourceResolver.Default.WithBaseDirectory(baseDirectory))
            .WithEmitDebugInformation(true)
            .WithFileEncoding(System.Text.Encoding.UTF8)
            .WithLanguageVersion(LanguageVersion.Latest);
    }

    /// <summary>
    /// Starts the session with an empty submission: Roslyn's own start-up (a second or two) then happens here,
    /// not inside the first cell's time limit.
    /// </summary>
    public async Task StartAsync() =>
        _state ??= await CSharpScript.RunAsync<object>("", _options, _globals, typeof(KernelGlobals));

    /// <summary>The assemblies cells compile against (framework, engine, packages loaded so far), for code completion.</summary>
    public IEnumerable<MetadataReference> References => _options.MetadataReferences;

    /// <summary>Runs one cell; compile errors throw <see cref="CompilationErrorException"/>, runtime ones come back in <see cref="CellRun.Exception"/>.</summary>
    /// <param name="source">The cell with its directives parsed.</param>
    /// <param name="label">How stack traces name the cell (e.g. "lecture.ipynb, cell 3").</param>
    /// <exception cref="ArgumentException">A package the provider does not have.</exception>
    public async Task<CellRun> RunAsync(CellSource source, string label)
    {
        foreach (var (name, version) in source.Packages)
            foreach (var path in _packages.Resolve(name, version))
                if (_referenced.Add(path)) _options = _options.AddReferences(MetadataReference.CreateFromFile(path));

        var options = _options.WithFilePath(label);
        await StartAsync();
        _state = await _state!.ContinueWithAsync<object>(source.Code, options, catchException: _ => true);
        return new CellRun(EndsWithExpression(source.Code), _state.ReturnValue, _state.Exception);
    }

    /// <summary>Whether the last statement is an expression without a semicolon: the cell's value, as in the kernel.</summary>
    static bool EndsWithExpression(string code)
    {
        var root = CSharpSyntaxTree.ParseText(code, new CSharpParseOptions(kind: SourceCodeKind.Script)).GetCompilationUnitRoot();
        return root.Members.LastOrDefault() is GlobalStatementSyntax { Statement: ExpressionStatementSyntax expression }
               && expression.SemicolonToken.IsMissing;
    }

    /// <summary>Every assembly of the shared framework, as the kernel offers: notebooks use System.IO, System.Text.Json, … freely.</summary>
    static IEnumerable<MetadataReference> FrameworkReferences()
    {
        var frameworkDir = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var trusted = (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? "").Split(Path.PathSeparator);
        return trusted
            .Where(p => Path.GetDirectoryName(p) == frameworkDir && Path.GetFileName(p).StartsWith("System", StringComparison.Ordinal) || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll")
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p));
    }
}
