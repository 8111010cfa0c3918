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
/// <param name="CheckFailure">Full name of the exception a failed check throws, reported by its own sentence; "" for none.</param>
/// <param name="Cells">The cells, in order.</param>
internal sealed record WorkerJob(string Folder, string NotebookName, string CheckFailure, IReadOnlyList<WorkerCell> Cells);

/// <summary>
/// The grading worker: the child process that runs a submission's cells. It reads the channel key and the job from its
/// standard input before any student code runs (then standard input is empty), runs the cells one by one on the
/// engine's <see cref="ExecutionSession"/>, and reports each outcome on the result pipe. Student output goes to the cells'
/// outputs; the process's own stdout and stderr are drained by the grader and never read as results.
/// </summary>
public static class GradeWorker
{
    /// <summary>Largest outputs of one cell sent back for the feedback notebook.</summary>
    const int MaxPayloadChars = 1 << 20;

    /// <summary>
    /// What a cell may print, below the engine's default: the text kept must still fit the payload above after JSON
    /// escaping (a character can take six), so a flood leaves the student its first 100,000 characters and the note.
    /// </summary>
    static readonly OutputLimits Output = new() { MaxStreamCharacters = 100_000 };

    /// <summary>Runs the worker; returns the process exit code.</summary>
    /// <param name="channel">The inherited write end of the result pipe, as the grader passed it.</param>
    /// <param name="packages">Answers the cells' <c>#r "nuget: …"</c>.</param>
    public static async Task<int> RunAsync(string channel, IPackageProvider packages)
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
        var session = new ExecutionSession(job.Folder, job.NotebookName, packages, Output);
        await session.StartAsync();
        Send(-1, WorkerMessage.Ready, "", "");
        foreach (var cell in job.Cells)
        {
            var outputs = new JsonArray();
            var (outcome, message) = await RunCellAsync(session, cell, new CellOutputs(outputs), job.CheckFailure);
            // Tensors a cell left to the garbage collector hold native memory the collector does not see, freed only when
            // it gets round to their finalizers, which on a busy machine is late: a lecture graded beside other work went
            // from 2.5 GB to over 6 GB that way. Collected after every cell, the grader counts what the submission keeps.
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
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

    static async Task<(string Outcome, string Message)> RunCellAsync(ExecutionSession session, WorkerCell cell, CellOutputs outputs, string checkFailure)
    {
        var outcome = await session.ExecuteAsync(new CellRequest(cell.Code, cell.Index + 1, cell.ExecutionCount), outputs);
        return outcome switch
        {
            { Failure: null } => ("ok", ""),
            { Exception: OutOfMemoryException e } => ("oom", Describe(e, checkFailure)),
            { Exception: { } e, Failure.Kind: "runtime" } => ("error", Describe(e, checkFailure)),
            { Failure: { } failure } => ("error", failure.Message.Split('\n')[0]),
        };
    }

    /// <summary>The first line of what went wrong: a failed check's own sentence, or the exception's type and message.</summary>
    static string Describe(Exception e, string checkFailure)
    {
        var firstLine = ExecutionSession.SafeMessage(e).Split('\n')[0].TrimEnd('\r');
        return checkFailure.Length > 0 && e.GetType().FullName == checkFailure ? firstLine : $"{e.GetType().Name}: {firstLine}";
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
