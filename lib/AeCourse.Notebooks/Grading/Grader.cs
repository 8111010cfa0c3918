using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using AeCourse.Notebooks.Format;

namespace AeCourse.Notebooks.Grading;

/// <summary>How to grade.</summary>
public sealed record GradeOptions
{
    /// <summary>Longest time one cell may run.</summary>
    public TimeSpan CellTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Longest time the whole grading of one submission may take, worker start-ups and replays included.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(600);

    /// <summary>
    /// The default memory limit. The lectures' quick runs peak near 4 GB through the grader today (tensors the library
    /// leaves to the garbage collector), so a default of 4 GB failed honest submissions now and then.
    /// </summary>
    public const long DefaultMemoryMegabytes = 6144;

    /// <summary>Largest memory of the worker and every process it starts, together, in MiB (see <see cref="ProcessTree"/>).</summary>
    public long MemoryMegabytes { get; init; } = DefaultMemoryMegabytes;

    /// <summary>Most processes the worker may run at once, itself and its sandbox's included.</summary>
    public int MaxProcesses { get; init; } = 256;

    /// <summary>The sandbox each worker runs in (on by default).</summary>
    public SandboxOptions Sandbox { get; init; } = new();

    /// <summary>Whether the feedback notebook shows the hidden tests' code; by default it shows only their outcomes.</summary>
    public bool ShowHiddenTests { get; init; }

    /// <summary>Values for the source's parameters cell (papermill's -p name=value).</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();

    /// <summary>Write the executed graded notebook (the student's feedback) here; null for none.</summary>
    public string? ExecutedPath { get; init; }

    /// <summary>The check library the test cells call (the kit passes its own); none by default.</summary>
    public CheckLibrary Checks { get; init; } = CheckLibrary.None;

    /// <summary>How to start a worker; null for this same program.</summary>
    public WorkerCommand? Worker { get; init; }

    /// <summary>Receives progress lines.</summary>
    public Action<string> Log { get; init; } = _ => { };
}

/// <summary>The grader could not do its own work (not the submission's fault); the message says why.</summary>
public sealed class GraderException(string message) : Exception(message);

/// <summary>
/// Grades a submission: runs the graded program (<see cref="GradedProgram"/>) in a worker child process, inside a
/// bubblewrap sandbox (<see cref="Grading.Sandbox"/>), one cell at a time, under a time limit per cell and in total and
/// limits on memory and processes. Outcomes come back over a pipe as messages
/// authenticated with a key only the grader and the worker know. When the worker dies or is killed during a cell, that
/// cell fails with the reason, a fresh worker replays the cells before it and goes on after it.
/// </summary>
public static class Grader
{
    /// <summary>
    /// A cgroup counts threads as tasks: the .NET worker alone runs a few dozen, libtorch's pool more. Its cap is a
    /// backstop against a fork bomb between two of the grader's counts, well above what the process limit allows.
    /// </summary>
    const int TasksPerProcess = 16;

    sealed record Outcome(bool Ok, string Message, string? Payload);

    /// <summary>Grades <paramref name="submissionPath"/> against <paramref name="sourcePath"/>.</summary>
    /// <exception cref="NotebookFormatException">A file is missing or not a notebook.</exception>
    /// <exception cref="GradingMarkupException">The source's grading markup is wrong.</exception>
    /// <exception cref="Execution.NotebookCellException">A parameter is wrong.</exception>
    /// <exception cref="GraderException">A worker could not be started.</exception>
    public static async Task<GradeReport> GradeAsync(string submissionPath, string sourcePath, GradeOptions options)
    {
        var clock = Stopwatch.StartNew();
        var source = Notebook.Read(sourcePath);
        var submission = Notebook.Read(submissionPath);
        var program = GradedProgram.Assemble(source, submission, options.Parameters, options.Checks);
        var notes = program.MissingAnswers.Select(id => $"answer cell {id} is missing from the submission").ToList();
        var outcomes = new Dictionary<int, Outcome>();
        var skipped = new HashSet<int>();
        var runnable = program.Cells.Where(c => c.Code is not null).ToList();
        var command = options.Worker ?? WorkerCommand.Current();
        var limits = new WorkerLimits(options.MemoryMegabytes << 20, options.MaxProcesses);
        var sourceFolder = Path.GetDirectoryName(Path.GetFullPath(sourcePath))!;
        // Only the instructor's cells say which files the sandbox shows: a student's #load names nothing into it.
        var sandbox = options.Sandbox.Enabled
            ? Sandbox.LayoutFor(command, sourceFolder, program.Cells.Where(c => c.Role != CellRole.Answer && c.Code is not null).Select(c => c.Code!),
                                options.Sandbox, WorkerProcess.Environment(limits), limits.MemoryBytes)
            : null;
        if (sandbox is null) notes.Add(Sandbox.NotSandboxedNote);
        string totalSeconds = Seconds(options.Timeout);
        string? outOfTime = null;
        int restarts = 0, rejected = 0;
        long peak = 0;

        while (outOfTime is null && runnable.Any(c => !outcomes.ContainsKey(c.Index)))
        {
            var key = RandomNumberGenerator.GetBytes(32);
            var job = new WorkerJob(sourceFolder, Path.GetFileName(sourcePath), options.Checks.FailureException,
                runnable.Where(c => !skipped.Contains(c.Index))
                        .Select(c => new WorkerCell(c.Index, c.Code!, ExecutionCount(runnable, c), outcomes.ContainsKey(c.Index))).ToList());
            // A group of its own for each worker: the kernel's counters start at zero, and the group goes with it.
            using var cgroup = Cgroup.TryCreate(limits.MemoryBytes, TasksPerProcess * limits.Processes);
            var enforced = cgroup is null ? "" : $" (limits also held by the kernel: {cgroup.Version})";
            options.Log(restarts == 0 ? $"starting the worker{enforced}" : $"restarting the worker ({restarts}){enforced}");
            using var worker = WorkerProcess.Start(command, key, job, limits, sandbox, cgroup);
            long sequence = 0;
            var (started, ready) = await worker.NextAsync(Remaining(options, clock));
            if (started != WorkerEvent.Message || ready!.Outcome != WorkerMessage.Ready || ready.Sequence != sequence++)
            {
                if (started == WorkerEvent.TimedOut) { outOfTime = $"not run: the submission used up its {totalSeconds} s"; break; }
                throw new GraderException($"the grading worker did not start ({Describe(worker)}): {Last(worker.StderrTail)}");
            }

            foreach (var cell in job.Cells)
            {
                var remaining = Remaining(options, clock);
                bool totalBinds = remaining <= options.CellTimeout;
                var (what, message) = await worker.NextAsync(totalBinds ? remaining : options.CellTimeout);
                // Only a genuine message, next in sequence, about the cell asked for, counts.
                while (what == WorkerEvent.Message && (message!.Sequence != sequence || message.Cell != cell.Index))
                    (what, message) = await worker.NextAsync(Remaining(options, clock) < options.CellTimeout ? Remaining(options, clock) : options.CellTimeout);
                int number = cell.Index + 1;
                if (what == WorkerEvent.Message)
                {
                    sequence++;
                    if (cell.Replay) continue;
                    outcomes[cell.Index] = new Outcome(message!.Outcome == "ok", message.Message, message.Payload);
                    if (message.Outcome == "oom")
                    {
                        // A failed allocation may leave the heap full of the student's data: start afresh after it.
                        skipped.Add(cell.Index);
                        notes.Add($"worker restarted after cell {number} (out of memory)");
                        restarts++;
                        break;
                    }
                    continue;
                }

                string reason;
                if (what == WorkerEvent.TimedOut)
                {
                    worker.Kill();
                    reason = totalBinds ? $"cell {number} was stopped: the submission used up its {totalSeconds} s"
                                        : $"cell {number} ran past its {Seconds(options.CellTimeout)} s limit";
                    if (totalBinds) outOfTime = $"not run: the submission used up its {totalSeconds} s";
                }
                else
                {
                    worker.Kill();
                    if (worker.OverMemory) options.Log($"cell {number}: over the memory limit: {worker.MemoryDetail}");
                    reason = worker.OverMemory ? $"cell {number} went over the {options.MemoryMegabytes} MB memory limit"
                           : worker.OverProcesses ? $"cell {number} went over the limit of {options.MaxProcesses} processes"
                           : worker.StderrTail.Contains("Stack overflow", StringComparison.Ordinal) ? $"stack overflow during cell {number}"
                           : $"the submission {Describe(worker)} during cell {number}";
                }
                skipped.Add(cell.Index);
                if (cell.Replay) notes.Add($"{reason} while earlier cells were replayed; the cell was left out from then on");
                else outcomes[cell.Index] = new Outcome(false, reason, null);
                if (outOfTime is null)
                {
                    notes.Add($"worker restarted after cell {number}");
                    restarts++;
                }
                break;
            }
            rejected += worker.Rejected;
            peak = Math.Max(peak, worker.PeakResident);
        }

        if (rejected > 0) notes.Add($"{rejected} line(s) on the result channel were not genuine messages and were ignored");
        var tests = program.Cells.Where(c => c.Role == CellRole.Test).Select(c => Score(c, outcomes, program, outOfTime, totalSeconds)).ToList();
        foreach (var answer in program.Cells.Where(c => c.Role == CellRole.Answer && outcomes.TryGetValue(c.Index, out var o) && !o.Ok))
            notes.Add($"answer {answer.GradeId} (cell {answer.Index + 1}) failed: {outcomes[answer.Index].Message}");
        // The source's own cells should not fail; when one does (a lecture over the memory limit, say), say why.
        foreach (var cell in program.Cells.Where(c => c.Role is CellRole.Plain or CellRole.Locked && outcomes.TryGetValue(c.Index, out var o) && !o.Ok))
            notes.Add($"cell {cell.Index + 1} failed: {outcomes[cell.Index].Message}");
        if (options.ExecutedPath is { } executed) WriteExecuted(program, outcomes, executed, options.ShowHiddenTests);
        options.Log(string.Create(CultureInfo.InvariantCulture, $"graded in {clock.Elapsed.TotalSeconds:0.0} s, {restarts} restart(s), peak memory {peak >> 20} MB"));
        return new GradeReport(Path.GetFullPath(submissionPath), Path.GetFullPath(sourcePath), tests,
            tests.Sum(t => t.Earned), tests.Sum(t => t.Possible), Math.Round(clock.Elapsed.TotalSeconds, 3), notes);
    }

    static TestScore Score(ProgramCell test, Dictionary<int, Outcome> outcomes, GradedProgram program, string? outOfTime, string totalSeconds)
    {
        int number = test.Index + 1;
        if (!outcomes.TryGetValue(test.Index, out var outcome))
            return new TestScore(test.GradeId!, number, 0, test.Points, false, outOfTime ?? $"not run: the submission used up its {totalSeconds} s");
        if (outcome.Ok) return new TestScore(test.GradeId!, number, test.Points, test.Points, true, null);
        // A test fails for its answer's sake first: a missing answer, or one that failed (a limit, an exit), is named
        // rather than the compile error its absence causes in the test.
        var answerCell = program.Cells.FirstOrDefault(c => c.Role == CellRole.Answer && c.GradeId == test.Answer);
        var message = test.Answer is { } answer && program.MissingAnswers.Contains(answer) ? $"answer cell {answer} is missing from the submission"
            : answerCell is not null && outcomes.TryGetValue(answerCell.Index, out var answered) && !answered.Ok
                ? $"answer {answerCell.GradeId} (cell {answerCell.Index + 1}) failed: {answered.Message}"
                : outcome.Message;
        return new TestScore(test.GradeId!, number, 0, test.Points, false, message);
    }

    /// <summary>
    /// The graded notebook with each cell's outputs, and an error output where a cell was stopped; the hidden tests' code
    /// taken out of the test cells unless <paramref name="showHiddenTests"/> (their outcomes stay).
    /// </summary>
    static void WriteExecuted(GradedProgram program, Dictionary<int, Outcome> outcomes, string path, bool showHiddenTests)
    {
        var notebook = program.Notebook.Clone();
        int count = 0;
        foreach (var cell in program.Cells)
        {
            var target = notebook.Cells[cell.Index];
            if (cell.Role == CellRole.Test && !showHiddenTests) target.Source = StudentRelease.RemoveHiddenTests(target.Source).Source;
            if (!outcomes.TryGetValue(cell.Index, out var outcome)) continue;
            target.ExecutionCount = ++count;
            var outputs = target.Outputs;
            outputs.Clear();
            if (outcome.Payload is { Length: > 0 } payload && JsonNode.Parse(payload) is JsonArray given)
                foreach (var o in given.ToList()) { given.Remove(o); outputs.Add(o); }
            else if (!outcome.Ok)
                outputs.Add(new JsonObject { ["ename"] = "GradingStopped", ["evalue"] = outcome.Message, ["output_type"] = "error", ["traceback"] = new JsonArray(outcome.Message) });
        }
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        notebook.Write(path);
    }

    static int ExecutionCount(List<ProgramCell> runnable, ProgramCell cell) => runnable.IndexOf(cell) + 1;

    static TimeSpan Remaining(GradeOptions options, Stopwatch clock) => options.Timeout - clock.Elapsed;

    static string Describe(WorkerProcess worker) => worker.ExitCode switch
    {
        > 128 and < 160 => $"was ended by signal {worker.ExitCode - 128}",
        var code => $"exited with code {code}",
    };

    static string Last(string text) => string.Join(" ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(3));

    static string Seconds(TimeSpan time) => time.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
}
