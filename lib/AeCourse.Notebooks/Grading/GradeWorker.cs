using System.Globalization;
using System.IO.Pipes;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AeCourse.Notebooks.Execution;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Scripting;

namespace AeCourse.Notebooks.Grading;

/// <summary>A cell the worker is to run.</summary>
/// <param name="Index">Position in the graded notebook (0-based).</param>
/// <param name="Code">The cell's text.</param>
/// <param name="ExecutionCount">Its execution_count in the feedback notebook.</param>
/// <param name="Replay">Run only to rebuild state after a restart: its outcome is known, its outputs are not sent.</param>
internal sealed record WorkerCell(int Index, string Code, int ExecutionCount, bool Replay);

/// <summary>What the grader gives a worker on its standard input, after the key line.</summary>
/// <param name="Folder">Working directory and base of relative <c>#r</c>/<c>#load</c> paths: the source notebook's folder.</param>
/// <param name="NotebookName">How stack traces name the notebook.</param>
/// <param name="Cells">The cells, in order.</param>
internal sealed record WorkerJob(string Folder, string NotebookName, IReadOnlyList<WorkerCell> Cells);

/// <summary>
/// The grading worker: the child process that runs a submission's cells. It reads the channel key and the job from its
/// standard input before any student code runs (then standard input is empty), runs the cells one by one on the
/// engine's <see cref="CSharpKernel"/>, and reports each outcome on the result pipe. Student output goes to the cells'
/// outputs; the process's own stdout and stderr are drained by the grader and never read as results.
/// </summary>
public static class GradeWorker
{
    /// <summary>Largest outputs of one cell sent back for the feedback notebook.</summary>
    const int MaxPayloadChars = 1 << 20;

    /// <summary>Runs the worker; returns the process exit code.</summary>
    /// <param name="channel">The inherited write end of the result pipe, as the grader passed it.</param>
    public static async Task<int> RunAsync(string channel)
    {
        byte[] key;
        WorkerJob job;
        using (var stdin = new StreamReader(Console.OpenStandardInput(), new UTF8Encoding(false)))
        {
            key = Convert.FromBase64String(stdin.ReadLine() ?? throw new InvalidDataException("no key on standard input"));
            job = JsonSerializer.Deserialize<WorkerJob>(await stdin.ReadToEndAsync()) ?? throw new InvalidDataException("no job on standard input");
        }
        Console.SetIn(TextReader.Null);
        CloseOnExec(channel);   // processes the student starts must not hold the pipe
        await using var pipe = new AnonymousPipeClientStream(PipeDirection.Out, channel);
        long sequence = 0;
        void Send(int cell, string outcome, string message, string payload)
        {
            var line = new WorkerMessage(sequence++, cell, outcome, message, payload).Encode(key) + "\n";
            var bytes = Encoding.UTF8.GetBytes(line);
            pipe.Write(bytes);
            pipe.Flush();
        }

        Directory.SetCurrentDirectory(job.Folder);
        var kernel = new CSharpKernel(job.Folder);
        await kernel.StartAsync();
        Send(-1, WorkerMessage.Ready, "", "");
        var (stdout, stderr) = (Console.Out, Console.Error);
        foreach (var cell in job.Cells)
        {
            var outputs = new JsonArray();
            var (outcome, message) = await RunCellAsync(kernel, job.NotebookName, cell, new CellOutputs(outputs), stdout, stderr);
            var payload = cell.Replay ? "" : outputs.ToJsonString();
            if (payload.Length > MaxPayloadChars)
                payload = new JsonArray(new JsonObject
                {
                    ["name"] = "stderr", ["output_type"] = "stream",
                    ["text"] = $"[the outputs of this cell, {payload.Length:N0} characters of JSON, were left out of the feedback]\n",
                }).ToJsonString();
            Send(cell.Index, outcome, message, payload);
        }
        return 0;
    }

    static async Task<(string Outcome, string Message)> RunCellAsync(CSharpKernel kernel, string notebookName, WorkerCell cell, CellOutputs outputs,
                                                                     TextWriter stdout, TextWriter stderr)
    {
        int number = cell.Index + 1;
        CellSource source;
        try { source = CellSource.Parse(cell.Code, number); }
        catch (NotebookCellException e) { outputs.Error("CellError", e.Message, []); return ("error", e.Message); }

        Console.SetOut(outputs.StreamWriter("stdout"));
        Console.SetError(outputs.StreamWriter("stderr"));
        CellOutputs.Running = outputs;
        try
        {
            var run = await kernel.RunAsync(source, $"{notebookName}, cell {number}", outputs);
            if (run.Exception is { } thrown)
            {
                var inner = thrown is System.Reflection.TargetInvocationException { InnerException: { } cause } ? cause : thrown;
                var message = Describe(inner);
                outputs.Error(inner.GetType().FullName ?? "Exception", message, SafeTrace(inner));
                return (inner is OutOfMemoryException ? "oom" : "error", message);
            }
            if (run.HasValue && run.Value is not null) outputs.Result(run.Value, cell.ExecutionCount);
            return ("ok", "");
        }
        catch (CompilationErrorException e)
        {
            var first = e.Diagnostics.First(d => d.Severity == DiagnosticSeverity.Error);
            var span = first.Location.GetLineSpan().StartLinePosition;
            var message = $"cell {number}, line {span.Line + 1}, column {span.Character + 1}: error {first.Id}: {first.GetMessage(CultureInfo.InvariantCulture)}";
            outputs.Error("CompilationError", message, []);
            return ("error", message);
        }
        catch (ArgumentException e) when (source.Packages.Count > 0)
        {
            outputs.Error("CellError", e.Message, []);
            return ("error", $"cell {number}: {e.Message}");
        }
        catch (OutOfMemoryException e)
        {
            return ("oom", $"{nameof(OutOfMemoryException)}: {e.Message}");
        }
        finally
        {
            Console.SetOut(stdout);
            Console.SetError(stderr);
            CellOutputs.Running = null;
        }
    }

    /// <summary>
    /// The first line of what went wrong: a failed check's own sentence, or the exception's type and message. Student
    /// exceptions may throw from their Message; that is reported, not propagated.
    /// </summary>
    static string Describe(Exception e)
    {
        string text;
        try { text = e.Message; }
        catch (Exception) { text = "(its message could not be read)"; }
        var firstLine = text.Split('\n')[0].TrimEnd('\r');
        return e.GetType().FullName == "AeCourse.Grading.CheckFailedException" ? firstLine : $"{e.GetType().Name}: {firstLine}";
    }

    static IEnumerable<string> SafeTrace(Exception e)
    {
        try
        {
            return e.ToString().Split('\n').Select(l => l.TrimEnd('\r')).Where(l => !l.Contains("Microsoft.CodeAnalysis.Scripting", StringComparison.Ordinal)).ToList();
        }
        catch (Exception) { return []; }
    }

    static void CloseOnExec(string channel)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return;
        if (int.TryParse(channel, NumberStyles.None, CultureInfo.InvariantCulture, out int fd))
            _ = Fcntl(fd, 2 /* F_SETFD */, 1 /* FD_CLOEXEC */);
    }

    [DllImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    static extern int Fcntl(int fd, int command, int argument);
}
