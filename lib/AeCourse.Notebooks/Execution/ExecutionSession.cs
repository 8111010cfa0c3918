using System.Diagnostics;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Scripting;

namespace AeCourse.Notebooks.Execution;

/// <summary>A cell to run.</summary>
/// <param name="Code">The cell's text, directives included.</param>
/// <param name="CellNumber">How messages and stack traces name it ("cell 3"): its 1-based place in the notebook, or the kernel's execution count.</param>
/// <param name="ExecutionCount">The execute_result's execution_count.</param>
public sealed record CellRequest(string Code, int CellNumber, int ExecutionCount)
{
    /// <summary>Longest time the cell may run; null for no limit.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Cancelled when the front end interrupts the cell.</summary>
    public CancellationToken Interrupt { get; init; }

    /// <summary>How long an interrupted or timed-out cell has to stop on its own before it is reported as not stopping.</summary>
    public TimeSpan StopGrace { get; init; } = TimeSpan.FromSeconds(2);
}

/// <summary>How a cell ended.</summary>
/// <param name="Failure">Why it failed, or null.</param>
/// <param name="Exception">What the cell's code threw, for callers that judge it (the grader); null when it threw nothing.</param>
/// <param name="CompiledCode">The C# that compiled (directive lines blanked), for code completion; null when it did not compile.</param>
/// <param name="Abandoned">The cell ran over its time and did not stop: its code may still be running; end the process.</param>
public sealed record CellOutcome(CellFailure? Failure, Exception? Exception, string? CompiledCode, bool Abandoned)
{
    /// <summary>The cell ran without error.</summary>
    public bool Succeeded => Failure is null;
}

/// <summary>
/// The execution core that <c>aecourse run</c>, the grading worker and the kit's Jupyter kernel share: one C# session
/// whose cells see the variables of the cells before them. A cell's directives are honoured, its outputs streamed to the
/// sink it comes with as they happen (stream, display_data, update_display_data, execute_result, error with a traceback
/// naming the cell) within the session's <see cref="OutputLimits"/>, its time limited and its interrupt passed to the
/// code through <see cref="CellContext.Interrupt"/>.
/// One cell runs at a time per session; sessions hold no process-wide state but the console router and, for the
/// caller to choose, the working directory.
/// </summary>
public sealed class ExecutionSession
{
    readonly CSharpKernel _kernel;
    readonly string _notebookName;
    readonly SemaphoreSlim _oneCell = new(1, 1);

    /// <param name="folder">Base of relative <c>#r "x.dll"</c> and <c>#load</c> paths: the notebook's folder.</param>
    /// <param name="notebookName">How stack traces name the notebook ("lecture.ipynb, cell 3").</param>
    /// <param name="packages">Answers <c>#r "nuget: …"</c>; without it no package can be referenced.</param>
    /// <param name="outputLimits">How much each cell may print and display; <see cref="OutputLimits.Default"/> when null.</param>
    /// <exception cref="ArgumentOutOfRangeException">A limit is negative.</exception>
    public ExecutionSession(string folder, string notebookName, IPackageProvider? packages = null, OutputLimits? outputLimits = null)
    {
        OutputLimits = outputLimits ?? OutputLimits.Default;
        ArgumentOutOfRangeException.ThrowIfNegative(OutputLimits.MaxStreamCharacters, $"{nameof(outputLimits)}.{nameof(OutputLimits.MaxStreamCharacters)}");
        ArgumentOutOfRangeException.ThrowIfNegative(OutputLimits.MaxDisplays, $"{nameof(outputLimits)}.{nameof(OutputLimits.MaxDisplays)}");
        _kernel = new CSharpKernel(folder, packages ?? NoPackages.Instance);
        _notebookName = notebookName;
        ConsoleRouter.Install();
    }

    /// <summary>
    /// How much each cell may print and display. Every cell starts with the whole allowance; what it prints past it is
    /// dropped, and its outputs get one note on stderr saying how much, before the engine's own closing outputs
    /// (execute_result, error, <c>#!time</c>'s wall time), which are never counted nor dropped.
    /// </summary>
    public OutputLimits OutputLimits { get; }

    /// <summary>The assemblies cells compile against so far (they grow as cells load packages).</summary>
    public IEnumerable<MetadataReference> References => _kernel.References;

    /// <summary>Starts Roslyn (a second or two), so that the first cell's time limit does not pay for it.</summary>
    public Task StartAsync() => _kernel.StartAsync();

    /// <summary>Runs one cell, its outputs going to <paramref name="sink"/>, and says how it ended.</summary>
    public async Task<CellOutcome> ExecuteAsync(CellRequest request, IOutputSink sink)
    {
        await _oneCell.WaitAsync();
        try { return await RunAsync(request, sink); }
        finally
        {
            sink.Flush();
            _oneCell.Release();
        }
    }

    async Task<CellOutcome> RunAsync(CellRequest request, IOutputSink sink)
    {
        int number = request.CellNumber;
        CellSource source;
        try { source = CellSource.Parse(request.Code, number); }
        catch (NotebookCellException e) { return Failed(sink, new CellFailure(number, e.Kind, e.Message)); }

        using var timeUp = new CancellationTokenSource();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(request.Interrupt, timeUp.Token);
        var output = new LimitedSink(sink, OutputLimits);
        var cell = new CellContext(output, number, stop.Token);
        var clock = Stopwatch.StartNew();
        // On a thread of its own: a cell that does not stop when asked is left running, not waited for.
        var run = Task.Run(async () =>
        {
            cell.Enter();
            return await _kernel.RunAsync(source, $"{_notebookName}, cell {number}");
        });
        if (request.Timeout is { } limit) timeUp.CancelAfter(limit > TimeSpan.Zero ? limit : TimeSpan.Zero);

        await Task.WhenAny(run, Task.Delay(Timeout.Infinite, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default));
        if (!run.IsCompleted && await Task.WhenAny(run, Task.Delay(request.StopGrace)) != run)
        {
            if (timeUp.IsCancellationRequested)
            {
                output.End();
                return Failed(sink, TimedOut(number, request.Timeout!.Value), abandoned: true);
            }
            sink.Stream("stderr", $"cell {number} did not stop when interrupted: its code never checks for an interrupt (the kit's training " +
                                  "and long computations do). It keeps running; restart the kernel to stop it (the variables of earlier cells are lost).\n");
            await Task.WhenAny(run);
        }
        // The cell's code is done: the note on what it printed past the limit follows its text, before the engine's own outputs.
        output.End();

        CellRun result;
        try { result = await run; }
        catch (CompilationErrorException e)
        {
            return Failed(sink, new CellFailure(number, "compile", string.Join("\n", e.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => Describe(number, d)))));
        }
        catch (ArgumentException e) when (source.Packages.Count > 0)
        {
            return Failed(sink, new CellFailure(number, "package", $"cell {number}: {SafeMessage(e)}"));
        }
        catch (Exception e)
        {
            // Thrown past Roslyn's own catch: out of memory, or a stack overflow of the compiler itself.
            return Failed(sink, new CellFailure(number, "runtime", $"cell {number}: {e.GetType().FullName}: {SafeMessage(e)}"), e);
        }

        if (result.Exception is { } thrown)
        {
            var inner = thrown is System.Reflection.TargetInvocationException { InnerException: { } cause } ? cause : thrown;
            if (timeUp.IsCancellationRequested) return Failed(sink, TimedOut(number, request.Timeout!.Value), inner, source.Code);
            if (inner is OperationCanceledException && stop.IsCancellationRequested)
                return Failed(sink, new CellFailure(number, "interrupted", $"cell {number}: {SafeMessage(inner)}"), inner, source.Code, trace: false);
            return Failed(sink, new CellFailure(number, "runtime", $"cell {number}: {inner.GetType().FullName}: {SafeMessage(inner)}"), inner, source.Code);
        }
        if (result.HasValue && result.Value is not null) sink.Result(MimeBundle.Of(result.Value), request.ExecutionCount);
        if (source.Timed) sink.Stream("stdout", FormattableString.Invariant($"Wall time: {clock.Elapsed.TotalMilliseconds:0.####}ms\n"));
        return new CellOutcome(null, null, source.Code, Abandoned: false);
    }

    /// <summary>Writes the failure as the cell's error output (<see cref="ErrorOutput"/>).</summary>
    static CellOutcome Failed(IOutputSink sink, CellFailure failure, Exception? exception = null, string? compiled = null, bool abandoned = false, bool trace = true)
    {
        var (name, value, traceback) = ErrorOutput(failure, exception, trace);
        sink.Error(name, value, traceback);
        return new CellOutcome(failure, exception, compiled, abandoned);
    }

    /// <summary>
    /// Jupyter's ename, evalue and traceback of a failure: for what the cell's code threw (or its interrupt), the
    /// exception's type and message, then, with <paramref name="trace"/>, the stack with the notebook's frames naming the cell.
    /// </summary>
    internal static (string Name, string Value, IReadOnlyList<string> Traceback) ErrorOutput(CellFailure failure, Exception? exception, bool trace)
    {
        var lines = failure.Message.Split('\n').ToList();
        if (exception is not null && trace) lines.AddRange(SafeTrace(exception));
        return exception is not null && failure.Kind is "runtime" or "interrupted"
            ? (exception.GetType().FullName ?? "Exception", SafeMessage(exception), lines)
            : (ErrorName(failure.Kind), failure.Message, lines);
    }

    static CellFailure TimedOut(int number, TimeSpan limit) =>
        new(number, "timeout", $"cell {number} ran over its time limit of {limit.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s and was stopped");

    /// <summary>An exception's message; student code may throw from its Message, which is reported, not propagated.</summary>
    internal static string SafeMessage(Exception e)
    {
        try { return e.Message; }
        catch (Exception) { return "(its message could not be read)"; }
    }

    /// <summary>The stack as a front end shows it, without Roslyn's own frames.</summary>
    static IEnumerable<string> SafeTrace(Exception e)
    {
        try
        {
            var lines = (e.StackTrace ?? "").Split('\n').Select(l => l.TrimEnd('\r'))
                .Where(l => l.Length > 0 && !l.Contains("Microsoft.CodeAnalysis.Scripting", StringComparison.Ordinal)).ToList();
            for (var cause = e.InnerException; cause is not null; cause = cause.InnerException)
                lines.Add($" ---> {cause.GetType().FullName}: {SafeMessage(cause)}");
            return lines;
        }
        catch (Exception) { return []; }
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
}
