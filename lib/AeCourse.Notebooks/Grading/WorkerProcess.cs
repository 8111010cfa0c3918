using System.Diagnostics;
using System.Globalization;
using System.IO.Pipes;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace AeCourse.Notebooks.Grading;

/// <summary>How the grader starts a worker: the program and the arguments before the worker's own.</summary>
/// <param name="FileName">The executable (the <c>aecourse</c> apphost, or <c>dotnet</c>).</param>
/// <param name="Arguments">Arguments before <c>grade-worker</c> (e.g. the path of AeCourse.Cli.dll under <c>dotnet</c>).</param>
public sealed record WorkerCommand(string FileName, IReadOnlyList<string> Arguments)
{
    /// <summary>The verb the worker answers to.</summary>
    public const string Verb = "grade-worker";

    /// <summary>The program running now: its apphost, or <c>dotnet</c> with its entry assembly.</summary>
    public static WorkerCommand Current()
    {
        var process = Environment.ProcessPath ?? throw new InvalidOperationException("the path of the running program is unknown");
        if (Path.GetFileNameWithoutExtension(process).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
            return new WorkerCommand(process, [System.Reflection.Assembly.GetEntryAssembly()?.Location
                                               ?? throw new InvalidOperationException("the entry assembly is unknown")]);
        return new WorkerCommand(process, []);
    }
}

/// <summary>What waiting for the worker's next report gave.</summary>
internal enum WorkerEvent { Message, Exited, TimedOut }

/// <summary>What a worker may use: resident memory (of all its processes together) and how many processes.</summary>
/// <param name="MemoryBytes">Largest resident memory, summed over the worker and every process it started.</param>
/// <param name="Processes">Most processes alive at once in the worker's tree, the worker included.</param>
internal sealed record WorkerLimits(long MemoryBytes, int Processes);

/// <summary>
/// One worker child process — inside its sandbox when it has one — with its result pipe, its drained stdout and stderr,
/// and a watch on the resident memory and number of the processes it runs.
/// </summary>
internal sealed class WorkerProcess : IDisposable
{
    const int MaxLine = 8 << 20;
    const int TailChars = 64 << 10;

    readonly Process _process;
    readonly AnonymousPipeServerStream _pipe;
    readonly Channel<WorkerMessage> _messages = Channel.CreateUnbounded<WorkerMessage>();
    readonly byte[] _key;
    readonly StringBuilder _stderrTail = new();
    readonly Task _reader;
    readonly Task _exited;
    readonly Cgroup? _cgroup;
    volatile bool _overMemory, _overProcesses;

    WorkerProcess(Process process, AnonymousPipeServerStream pipe, byte[] key, WorkerLimits limits, Cgroup? cgroup)
    {
        _process = process;
        _pipe = pipe;
        _key = key;
        _cgroup = cgroup;
        _reader = Task.Run(ReadPipeAsync);
        _exited = process.WaitForExitAsync();
        _ = Task.Run(() => DrainAsync(process.StandardOutput.BaseStream, null));
        _ = Task.Run(() => DrainAsync(process.StandardError.BaseStream, _stderrTail));
        _ = Task.Run(() => WatchAsync(limits, cgroup));
    }

    /// <summary>Lines on the pipe that were not genuine messages (no tag, wrong MAC).</summary>
    public int Rejected { get; private set; }

    /// <summary>Whether the watch killed the worker for its memory, or the kernel's OOM killer ended a process of its cgroup.</summary>
    public bool OverMemory => _overMemory || _cgroup?.OutOfMemory == true;

    /// <summary>Whether the watch killed the worker for starting too many processes.</summary>
    public bool OverProcesses => _overProcesses;

    /// <summary>Why the worker was stopped for its memory, for the grader's log: what the watch counted, process by process, or the kernel's OOM kill; null while neither happened.</summary>
    public string? MemoryDetail => _counted ?? (_cgroup?.OutOfMemory == true ? "the kernel's OOM killer ended a process of the worker's cgroup" : null);

    string? _counted;

    /// <summary>The largest resident memory seen, in bytes.</summary>
    public long PeakResident { get; private set; }

    /// <summary>The worker's exit code (128 + signal when a signal ended it); valid once it exited.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>The last part of the worker's stderr (where the runtime reports a stack overflow).</summary>
    public string StderrTail { get { lock (_stderrTail) return _stderrTail.ToString(); } }

    /// <summary>sh: $1 files to write the shell's pid into, then the command to run in the shell's place.</summary>
    const string JoinThenRun = """n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 125; shift; n=$((n - 1)); done; exec "$@" """;

    /// <summary>The variables the worker's runtime needs, inside a sandbox or not.</summary>
    public static IReadOnlyDictionary<string, string> Environment(WorkerLimits limits)
    {
        // Managed allocations fail with OutOfMemoryException well before the resident-memory watch has to kill.
        long heapLimit = Math.Max(limits.MemoryBytes / 2, limits.MemoryBytes - (768L << 20));
        return new Dictionary<string, string>
        {
            ["DOTNET_GCHeapHardLimit"] = "0x" + heapLimit.ToString("X", CultureInfo.InvariantCulture),
            ["DOTNET_DbgEnableMiniDump"] = "0",
            // glibc gives threads that allocate heaps of their own (up to 8 per core), and freed tensor memory stays in
            // them; how many there are follows the machine's load. Lecture 04's quick run beside other work peaked at
            // 1.9–2.6 GB with two heaps against 2.4–6.2 GB without (three runs each, /usr/bin/time -v).
            ["MALLOC_ARENA_MAX"] = "2",
        };
    }

    /// <summary>
    /// Starts a worker — under bubblewrap when <paramref name="sandbox"/> is given, in <paramref name="cgroup"/> when
    /// there is one — and hands it the key and the job on its standard input, which is then closed.
    /// </summary>
    public static WorkerProcess Start(WorkerCommand command, byte[] key, WorkerJob job, WorkerLimits limits, SandboxLayout? sandbox, Cgroup? cgroup)
    {
        var program = new List<string>();
        if (sandbox is not null)
        {
            program.Add(Sandbox.Executable() ?? throw new GraderException($"bubblewrap is not installed: {Sandbox.InstallHint}"));
            program.AddRange(Sandbox.Arguments(sandbox));
            program.Add("--");
        }
        program.Add(command.FileName);
        program.AddRange(command.Arguments);
        program.Add(WorkerCommand.Verb);
        if (cgroup is not null)
        {
            // A shell joins the group, then becomes the worker (or bubblewrap): everything starts inside, with no moment
            // in which a process it forked could stay out.
            program.InsertRange(0, ["/bin/sh", "-c", JoinThenRun, "sh", $"{cgroup.ProcsFiles.Count}", .. cgroup.ProcsFiles]);
        }
        var start = new ProcessStartInfo(program[0])
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in program.Skip(1)) start.ArgumentList.Add(a);
        if (sandbox is null)
            foreach (var (name, value) in Environment(limits)) start.Environment[name] = value;

        var (pipe, process) = ProcessSpawner.Run(() =>
        {
            var pipe = new AnonymousPipeServerStream(PipeDirection.In, HandleInheritability.Inheritable);
            start.ArgumentList.Add("--channel");
            start.ArgumentList.Add(pipe.GetClientHandleAsString());
            var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program[0]}");
            pipe.DisposeLocalCopyOfClientHandle();
            return (pipe, process);
        });
        var worker = new WorkerProcess(process, pipe, key, limits, cgroup);
        try
        {
            process.StandardInput.WriteLine(Convert.ToBase64String(key));
            process.StandardInput.Write(JsonSerializer.Serialize(job));
            process.StandardInput.Close();
        }
        catch (IOException) { }   // the worker died already; the caller sees it exit
        return worker;
    }

    /// <summary>Waits up to <paramref name="limit"/> for the next genuine message, the worker's exit, or the time to run out.</summary>
    public async Task<(WorkerEvent Event, WorkerMessage? Message)> NextAsync(TimeSpan limit)
    {
        if (_messages.Reader.TryRead(out var queued)) return (WorkerEvent.Message, queued);
        if (limit <= TimeSpan.Zero) return (WorkerEvent.TimedOut, null);
        using var timeout = new CancellationTokenSource(limit);
        var readable = _messages.Reader.WaitToReadAsync(timeout.Token).AsTask();
        var first = await Task.WhenAny(readable, _exited, Task.Delay(Timeout.Infinite, timeout.Token));
        if (first == readable && readable.IsCompletedSuccessfully && readable.Result && _messages.Reader.TryRead(out var message))
            return (WorkerEvent.Message, message);
        if (_exited.IsCompleted || (first == readable && readable.IsCompletedSuccessfully))
        {
            // What the worker wrote just before it ended is still in the pipe: give the reader a moment.
            await _exited.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { });
            await Task.WhenAny(_reader, Task.Delay(1000));
            return _messages.Reader.TryRead(out var last) ? (WorkerEvent.Message, last) : (WorkerEvent.Exited, null);
        }
        return (WorkerEvent.TimedOut, null);
    }

    /// <summary>Ends the worker and whatever it started.</summary>
    public void Kill()
    {
        try { _process.Kill(entireProcessTree: true); }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception) { }
        _process.WaitForExit(10_000);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Kill();
        _pipe.Dispose();
        _process.Dispose();
    }

    /// <summary>Splits the pipe into lines (each at most <see cref="MaxLine"/> bytes; longer ones are dropped) and keeps the genuine messages.</summary>
    async Task ReadPipeAsync()
    {
        var buffer = new byte[64 << 10];
        var line = new MemoryStream();
        bool dropping = false;
        try
        {
            int read;
            while ((read = await _pipe.ReadAsync(buffer)) > 0)
            {
                int start = 0;
                for (int i = 0; i < read; i++)
                {
                    if (buffer[i] != (byte)'\n') continue;
                    if (!dropping) { line.Write(buffer, start, i - start); Accept(line); }
                    line.SetLength(0);
                    dropping = false;
                    start = i + 1;
                }
                if (!dropping) line.Write(buffer, start, read - start);
                if (line.Length > MaxLine) { dropping = true; line.SetLength(0); Rejected++; }
            }
        }
        catch (IOException) { }
        catch (ObjectDisposedException) { }
        finally { _messages.Writer.TryComplete(); }
    }

    void Accept(MemoryStream line)
    {
        var text = Encoding.UTF8.GetString(line.GetBuffer(), 0, (int)line.Length);
        if (WorkerMessage.Decode(text, _key) is { } message) _messages.Writer.TryWrite(message);
        else Rejected++;
    }

    static async Task DrainAsync(Stream stream, StringBuilder? tail)
    {
        var buffer = new byte[16 << 10];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer)) > 0)
            {
                if (tail is null) continue;
                lock (tail)
                {
                    tail.Append(Encoding.UTF8.GetString(buffer, 0, read));
                    if (tail.Length > TailChars) tail.Remove(0, tail.Length - TailChars);
                }
            }
        }
        catch (IOException) { }
        catch (ObjectDisposedException) { }
    }

    /// <summary>
    /// Every 50 ms, sums the memory (<see cref="ProcessTree"/>: resident memory, which counts native allocations such as
    /// libtorch's, and open memory files) of the worker and every process below it — bubblewrap, the sandbox's init, the
    /// worker, whatever the submission started, detached or not — and counts them; kills the whole tree above either limit.
    /// </summary>
    async Task WatchAsync(WorkerLimits limits, Cgroup? cgroup)
    {
        while (!_exited.IsCompleted)
        {
            var (count, bytes) = ProcessTree.Measure(_process.Id);
            PeakResident = Math.Max(PeakResident, bytes);
            if (count > limits.Processes) { _overProcesses = true; Kill(); return; }
            // The kernel's OOM killer ends one process of the group; the rest goes with it, as for the grader's own count.
            if (bytes > limits.MemoryBytes || cgroup?.OutOfMemory == true)
            {
                if (cgroup?.OutOfMemory != true) _counted = ProcessTree.Describe(_process.Id);
                _overMemory = true;
                Kill();
                return;
            }
            await Task.Delay(50);
        }
    }
}
