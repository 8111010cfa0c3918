using System.Diagnostics;
using System.Globalization;
using AeCourse.Notebooks.Format;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Scripting;

namespace AeCourse.Notebooks.Execution;

/// <summary>How to run a notebook.</summary>
public sealed record RunOptions
{
    /// <summary>Go on after a failing cell, as the kernel does, instead of stopping at the first error.</summary>
    public bool AllowErrors { get; init; }

    /// <summary>Longest time one cell may run; null for no limit.</summary>
    public TimeSpan? CellTimeout { get; init; }

    /// <summary>Longest time the whole notebook may run; null for no limit.</summary>
    public TimeSpan? NotebookTimeout { get; init; }

    /// <summary>Values for the parameters cell (papermill's -p name=value).</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();

    /// <summary>Receives each cell's start and end and every value it displays or updates, as it happens (a console front end).</summary>
    public Action<RunEvent> Events { get; init; } = _ => { };
}

/// <summary>Something a run reports as it goes.</summary>
public abstract record RunEvent;

/// <summary>A code cell starts.</summary>
/// <param name="CellNumber">1-based position in the notebook.</param>
/// <param name="CodeCell">1-based position among the code cells.</param>
/// <param name="CodeCells">How many code cells the notebook has.</param>
/// <param name="FirstLine">The cell's first line that is not blank, a comment or a directive, for a status line.</param>
public sealed record CellStarted(int CellNumber, int CodeCell, int CodeCells, string FirstLine) : RunEvent;

/// <summary>A cell displayed a value, or updated one it displayed (the trainer's progress, for one).</summary>
public sealed record CellDisplayed(int CellNumber, object? Value) : RunEvent;

/// <summary>A code cell ended.</summary>
/// <param name="CellNumber">1-based position in the notebook.</param>
/// <param name="Failure">Why it failed, or null.</param>
public sealed record CellFinished(int CellNumber, CellFailure? Failure) : RunEvent;

/// <summary>A cell that failed.</summary>
/// <param name="CellNumber">1-based position in the notebook.</param>
/// <param name="Kind">compile, runtime, timeout, kernel, directive, package or parameters.</param>
/// <param name="Message">What happened, naming the cell (and line and column for compile errors).</param>
public sealed record CellFailure(int CellNumber, string Kind, string Message);

/// <summary>The outcome of a run.</summary>
/// <param name="Notebook">The executed notebook (a copy; outputs filled in).</param>
/// <param name="Failures">Cells that failed, in order.</param>
/// <param name="TimedOut">A cell or the notebook ran over its time. Its code may still be running: end the process.</param>
/// <param name="Elapsed">Wall time of the run.</param>
public sealed record RunResult(Notebook Notebook, IReadOnlyList<CellFailure> Failures, bool TimedOut, TimeSpan Elapsed)
{
    /// <summary>Every cell ran without error.</summary>
    public bool Succeeded => Failures.Count == 0;
}

/// <summary>
/// Runs a notebook's C# cells in order on one <see cref="CSharpKernel"/>, in the notebook's folder, writing outputs as
/// Polyglot Notebooks does (stdout/stderr streams, display_data, execute_result, error). Markdown cells are skipped.
/// </summary>
public static class NotebookRunner
{
    /// <summary>Runs a copy of <paramref name="notebook"/> and returns it with its outputs.</summary>
    public static async Task<RunResult> RunAsync(Notebook notebook, RunOptions? options = null)
    {
        options ??= new RunOptions();
        var clock = Stopwatch.StartNew();
        var executed = notebook.Clone();
        var failures = new List<CellFailure>();
        try
        {
            Parameters.Inject(executed, options.Parameters);
        }
        catch (NotebookCellException e)
        {
            return new RunResult(executed, [new CellFailure(e.CellNumber, e.Kind, e.Message)], false, clock.Elapsed);
        }

        var folder = Path.GetDirectoryName(Path.GetFullPath(executed.Path))!;
        var kernel = new CSharpKernel(folder);
        var previousDirectory = Directory.GetCurrentDirectory();
        var (stdout, stderr) = (Console.Out, Console.Error);
        Directory.SetCurrentDirectory(folder);
        await kernel.StartAsync();
        int executionCount = 0;
        bool timedOut = false;
        try
        {
            int codeCells = executed.Cells.Count(c => c.IsCode);
            for (int i = 0; i < executed.Cells.Count; i++)
            {
                var cell = executed.Cells[i];
                if (!cell.IsCode) continue;
                cell.Outputs.Clear();
                cell.ExecutionCount = ++executionCount;
                int number = i + 1;
                var outputs = new CellOutputs(cell.Outputs, value => options.Events(new CellDisplayed(number, value)));
                options.Events(new CellStarted(number, executionCount, codeCells, FirstLine(cell.Source)));

                var remaining = options.NotebookTimeout - clock.Elapsed;
                var limit = Min(options.CellTimeout, remaining);
                var failure = await RunCellAsync(kernel, executed, cell, number, executionCount, outputs, limit, stdout, stderr);
                options.Events(new CellFinished(number, failure));
                if (failure is null) continue;
                failures.Add(failure);
                // Runtime errors wrote their own output, with the stack; the others are reported here.
                if (failure.Kind != "runtime") outputs.Error(ErrorName(failure.Kind), failure.Message, []);
                if (failure.Kind == "timeout") { timedOut = true; break; }
                if (!options.AllowErrors) break;
            }
        }
        finally
        {
            Console.SetOut(stdout);
            Console.SetError(stderr);
            CellOutputs.Running = null;
            Directory.SetCurrentDirectory(previousDirectory);
        }
        return new RunResult(executed, failures, timedOut, clock.Elapsed);
    }

    static async Task<CellFailure?> RunCellAsync(CSharpKernel kernel, Notebook notebook, NotebookCell cell, int number, int executionCount,
                                                 CellOutputs outputs, TimeSpan? limit, TextWriter stdout, TextWriter stderr)
    {
        if (cell.KernelName is { } kernelName && kernelName != "csharp")
            return new CellFailure(number, "kernel", $"cell {number} is for the {kernelName} kernel (metadata kernelName); the AeCourse engine runs C# cells only");
        CellSource source;
        try { source = CellSource.Parse(cell.Source, number); }
        catch (NotebookCellException e) { return new CellFailure(number, e.Kind, e.Message); }

        Console.SetOut(outputs.StreamWriter("stdout"));
        Console.SetError(outputs.StreamWriter("stderr"));
        CellOutputs.Running = outputs;
        var clock = Stopwatch.StartNew();
        // On its own thread: a cell that runs over its time is abandoned, not waited for.
        var run = Task.Run(() => kernel.RunAsync(source, $"{Path.GetFileName(notebook.Path)}, cell {number}", outputs));
        try
        {
            var result = limit is { } time ? await run.WaitAsync(time > TimeSpan.Zero ? time : TimeSpan.Zero) : await run;
            if (result.Exception is { } exception)
                return RuntimeFailure(number, exception, outputs);
            if (result.HasValue && result.Value is not null) outputs.Result(result.Value, executionCount);
            if (source.Timed) outputs.Write("stdout", FormattableString.Invariant($"Wall time: {clock.Elapsed.TotalMilliseconds:0.####}ms\n"));
            return null;
        }
        catch (TimeoutException)
        {
            return new CellFailure(number, "timeout", $"cell {number} ran over its time limit of {limit!.Value.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s and was stopped");
        }
        catch (CompilationErrorException e)
        {
            return new CellFailure(number, "compile", string.Join("\n", e.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => Describe(number, d))));
        }
        catch (ArgumentException e) when (source.Packages.Count > 0)
        {
            return new CellFailure(number, "package", $"cell {number}: {e.Message}");
        }
        finally
        {
            Console.SetOut(stdout);
            Console.SetError(stderr);
        }
    }

    /// <summary>The exception as Polyglot shows it: type and message, then the stack, with the notebook's frames naming the cell.</summary>
    static CellFailure RuntimeFailure(int number, Exception exception, CellOutputs outputs)
    {
        var inner = exception is System.Reflection.TargetInvocationException { InnerException: { } cause } ? cause : exception;
        var message = $"{inner.GetType().FullName}: {inner.Message}";
        var traceback = inner.ToString().Split('\n').Select(l => l.TrimEnd('\r')).Where(l => !l.Contains("Microsoft.CodeAnalysis.Scripting", StringComparison.Ordinal));
        outputs.Error(inner.GetType().FullName ?? "Exception", inner.Message, traceback.Prepend($"cell {number}: {message}"));
        return new CellFailure(number, "runtime", $"cell {number}: {message}");
    }

    static string Describe(int cell, Diagnostic d)
    {
        var span = d.Location.GetLineSpan();
        return $"cell {cell}, line {span.StartLinePosition.Line + 1}, column {span.StartLinePosition.Character + 1}: error {d.Id}: {d.GetMessage(CultureInfo.InvariantCulture)}";
    }

    static string ErrorName(string kind) => kind switch
    {
        "compile" => "CompilationError",
        "timeout" => "CellTimeout",
        _ => "CellError",
    };

    static string FirstLine(string source) =>
        source.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0 && !l.StartsWith("//", StringComparison.Ordinal) && !l.StartsWith('#')) ?? "";

    static TimeSpan? Min(TimeSpan? a, TimeSpan? b) => a is null ? b : b is null ? a : a < b ? a : b;
}
