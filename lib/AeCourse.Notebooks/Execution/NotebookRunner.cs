using System.Diagnostics;
using AeCourse.Notebooks.Format;

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

    /// <summary>Answers the cells' <c>#r "nuget: …"</c>; the engine alone has no packages.</summary>
    public IPackageProvider Packages { get; init; } = NoPackages.Instance;

    /// <summary>Cancelled to interrupt the running cell (Ctrl+C); the run stops after it.</summary>
    public CancellationToken Interrupt { get; init; }

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
/// <param name="Kind">compile, runtime, interrupted, timeout, kernel, directive, package or parameters.</param>
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
/// Runs a notebook's C# cells in order on one <see cref="ExecutionSession"/>, in the notebook's folder, writing outputs as
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
        var session = new ExecutionSession(folder, Path.GetFileName(executed.Path), options.Packages);
        var previousDirectory = Directory.GetCurrentDirectory();
        // The one process-wide setting a notebook run needs: the cells open files relative to their notebook, as in the kernel.
        Directory.SetCurrentDirectory(folder);
        int executionCount = 0;
        bool timedOut = false;
        try
        {
            await session.StartAsync();
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

                var outcome = cell.KernelName is { } kernelName && kernelName != "csharp"
                    ? OtherKernel(number, kernelName, outputs)
                    : await session.ExecuteAsync(new CellRequest(cell.Source, number, executionCount)
                    {
                        Timeout = Min(options.CellTimeout, options.NotebookTimeout - clock.Elapsed),
                        Interrupt = options.Interrupt,
                    }, outputs);
                options.Events(new CellFinished(number, outcome.Failure));
                if (outcome.Failure is not { } failure) continue;
                failures.Add(failure);
                if (failure.Kind == "timeout") { timedOut = true; break; }
                if (failure.Kind == "interrupted" || !options.AllowErrors) break;
            }
        }
        finally
        {
            Directory.SetCurrentDirectory(previousDirectory);
        }
        return new RunResult(executed, failures, timedOut, clock.Elapsed);
    }

    static CellOutcome OtherKernel(int number, string kernelName, CellOutputs outputs)
    {
        var failure = new CellFailure(number, "kernel", $"cell {number} is for the {kernelName} kernel (metadata kernelName); the AeCourse engine runs C# cells only");
        outputs.Error("CellError", failure.Message, [failure.Message]);
        return new CellOutcome(failure, null, null, Abandoned: false);
    }

    static string FirstLine(string source) =>
        source.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0 && !l.StartsWith("//", StringComparison.Ordinal) && !l.StartsWith('#')) ?? "";

    static TimeSpan? Min(TimeSpan? a, TimeSpan? b) => a is null ? b : b is null ? a : a < b ? a : b;
}
