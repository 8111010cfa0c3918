using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using AeCourse.Tests.Support;
using Xunit.Abstractions;

namespace AeCourse.Tests;

/// <summary>
/// A class of hostile submissions graded as one folder by the real <c>aecourse grade</c> in its bubblewrap sandbox. Every
/// submission answers all three exercises correctly and opens its add answer with one attack: read the sources, write
/// outside the sandbox, tamper with the source and a peer's submission, reach a server on loopback, leave a detached
/// process, start many processes, fork past the process limit, allocate memory in a child process, flood stdout.
/// Everything lives in one folder the grading user owns: <c>source/</c> (a copy of the grading fixture), <c>submitted/</c>,
/// <c>feedback/</c>, <c>outside/</c> (a place the attacks aim at), <c>home/</c>.
/// </summary>
public abstract class HostileClass : IDisposable
{
    /// <summary>Limits the class is graded under.</summary>
    public const int MemoryMb = 1024, Processes = 64;

    /// <summary>The answers every case gives (each worth its points); the attack comes first in the add answer.</summary>
    const string AddRight = "int Add(int a, int b) => a + b;";
    static readonly Dictionary<string, string?> Right = new()
    {
        ["squares"] = "int[] Squares(int n) => Enumerable.Range(0, n).Select(i => i * i).ToArray();",
        ["doubled"] = "torch.Tensor Doubled(torch.Tensor x) => x * 2;",
    };

    /// <summary>Each attack, its code (with @NAME@ placeholders) and the points it should honestly get (of 4).</summary>
    internal static readonly (string Name, string Attack, double Points)[] Attacks =
    [
        ("honest", "", 4),
        ("read-sources", """
            foreach (var path in new[] { "@SOURCE@", "@PEER@", "@SUMMARY@.csv" })
                try { Console.WriteLine(System.IO.File.ReadAllText(path)); } catch (Exception e) { Console.WriteLine($"read {path}: {e.GetType().Name}"); }
            try { Console.WriteLine("listed: " + string.Join(", ", System.IO.Directory.GetFileSystemEntries(System.IO.Directory.GetCurrentDirectory()))); }
            catch (Exception e) { Console.WriteLine($"list: {e.GetType().Name}"); }
            """, 4),
        ("write-outside", """
            foreach (var path in new[] { "@OUTSIDE@/escaped.txt", "@HOME@/escaped.txt", "/tmp/aecourse-escape-@MARKER@", "/root/aecourse-escape-@MARKER@", "/etc/aecourse-escape-@MARKER@" })
                try { System.IO.File.WriteAllText(path, "escaped"); Console.WriteLine($"wrote {path}"); } catch (Exception e) { Console.WriteLine($"write {path}: {e.GetType().Name}"); }
            """, 4),
        ("tamper", """
            foreach (var path in new[] { "@SOURCE@", "@PEER@" })
            {
                try { System.IO.File.WriteAllText(path, "{}"); } catch (Exception e) { Console.WriteLine($"overwrite {path}: {e.GetType().Name}"); }
                try { System.IO.File.Delete(path); } catch (Exception e) { Console.WriteLine($"delete {path}: {e.GetType().Name}"); }
            }
            try { System.IO.File.WriteAllText("@SUMMARY@.csv", "student,notebook,earned\ntamper,source.ipynb,100\n"); } catch (Exception e) { Console.WriteLine($"forge: {e.GetType().Name}"); }
            """, 4),
        ("network", """
            try { using var tcp = new System.Net.Sockets.TcpClient(); tcp.Connect("127.0.0.1", @PORT@); Console.WriteLine("connected"); }
            catch (Exception e) { Console.WriteLine($"tcp: {e.GetType().Name}"); }
            try { using var http = new System.Net.Http.HttpClient { Timeout = TimeSpan.FromSeconds(5) }; Console.WriteLine(http.GetStringAsync("http://localhost:@PORT@/").Result); }
            catch (Exception e) { Console.WriteLine($"http: {e.GetType().Name}"); }
            """, 4),
        ("detached", """
            // setsid -f: a new session, forked away from the worker, as a daemon would.
            System.Diagnostics.Process.Start("/usr/bin/setsid", "-f /bin/sh -c \"sleep @MARKER@1\"")!.WaitForExit();
            System.Diagnostics.Process.Start("/bin/sh", "-c \"nohup sleep @MARKER@1 >/dev/null 2>&1 &\"")!.WaitForExit();
            """, 4),
        ("many-processes", """
            for (int i = 0; i < 40; i++) System.Diagnostics.Process.Start("/bin/sleep", "@MARKER@2");
            """, 4),
        ("fork-past-limit", """
            System.Diagnostics.Process.Start("/bin/sh", "-c \"for i in $(seq 1000); do sleep @MARKER@3 & done; wait\"")!.WaitForExit();
            """, 3),
        ("dev-files", """
            // bubblewrap's /dev is a tmpfs of its own, as large as half the machine's memory: it must not take writes.
            foreach (var path in new[] { "/dev/hoard", "/dev/shm/hoard" })
                try { System.IO.File.WriteAllBytes(path, new byte[64 << 20]); Console.WriteLine($"wrote {path}"); } catch (Exception e) { Console.WriteLine($"write {path}: {e.GetType().Name}"); }
            """, 4),
        ("memory-file", """
            // 1.5 GB in a memory file a child holds open and never maps: in no process's resident memory.
            System.Diagnostics.Process.Start("/usr/bin/python3", "-c \"import os, time; fd = os.memfd_create('hoard'); [os.write(fd, b'x' * (1 << 20)) for _ in range(1536)]; time.sleep(120)\"")!.WaitForExit();
            """, 3),
        ("flood", """
            // 300 MB on stdout: beyond the output limit printing costs next to nothing, and the cell keeps its time.
            var chunk = new string('x', 1 << 20);
            for (int i = 0; i < 300; i++) Console.Write(chunk);
            """, 4),
        ("shared-memory", """
            // 1.5 GB in System V segments a child fills and detaches one by one: in no process, counted only by a cgroup.
            System.IO.File.WriteAllText("/tmp/hoard.py", string.Join("\n",
                "import ctypes, time",
                "libc = ctypes.CDLL(None)",
                "libc.shmat.restype = ctypes.c_void_p",
                "libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]",
                "libc.shmdt.argtypes = [ctypes.c_void_p]",
                "for _ in range(15):",
                "    segment = libc.shmget(0, 100 << 20, 0o1600)",
                "    address = libc.shmat(segment, None, 0)",
                "    ctypes.memset(address, 1, 100 << 20)",
                "    libc.shmdt(address)",
                "time.sleep(20)"));
            var hoarder = System.Diagnostics.Process.Start("/usr/bin/python3", "/tmp/hoard.py")!;
            hoarder.WaitForExit();
            Console.WriteLine($"hoarder exited with {hoarder.ExitCode}");
            """, 3),
        ("child-memory", """
            // 1.5 GB written, so resident, in a child the worker waits for: over the 1 GB limit only when counted with it.
            System.Diagnostics.Process.Start("/usr/bin/python3", "-c \"import time; x = b'x' * (1536 << 20); time.sleep(120)\"")!.WaitForExit();
            """, 3),
    ];

    readonly TempDir _dir = new();
    readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    int _connections;

    protected HostileClass(bool unprivileged)
    {
        // Every attack's processes carry this number, so that none can hide among the machine's own.
        Marker = RandomNumberGenerator.GetInt32(100_000, 999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        _listener.Start();
        _ = CountConnectionsAsync();
        int port = ((IPEndPoint)_listener.LocalEndpoint).Port;

        Directory.CreateDirectory(_dir["source"]);
        File.Copy(GraderTests.SourcePath, SourcePath);
        foreach (var folder in new[] { "outside", "home", "feedback" }) Directory.CreateDirectory(_dir[folder]);
        foreach (var (name, attack, _) in Attacks)
        {
            var code = attack.Replace("@SOURCE@", SourcePath).Replace("@PEER@", SubmissionPath("honest")).Replace("@SUMMARY@", _dir["grades"])
                .Replace("@OUTSIDE@", _dir["outside"]).Replace("@HOME@", _dir["home"]).Replace("@PORT@", $"{port}").Replace("@MARKER@", Marker);
            GraderTests.WriteSubmission(SubmissionPath(name), new Dictionary<string, string?>(Right) { ["add"] = code + "\n" + AddRight });
        }
        Before = Hashes();

        var command = new List<string>
        {
            "grade", _dir["submitted"], "--source", _dir["source"], "--jobs", "3", "--summary", _dir["grades"], "--feedback", _dir["feedback"],
            "--cell-timeout", "60", "--memory", $"{MemoryMb}", "--processes", $"{Processes}",
        };
        var clock = Stopwatch.StartNew();
        Result = unprivileged ? RunUnprivileged(command) : AeCourseCommand.Run(command.ToArray());
        Elapsed = clock.Elapsed;
        Summary = File.Exists(_dir["grades.json"]) ? JsonNode.Parse(File.ReadAllText(_dir["grades.json"]))!.AsObject() : new JsonObject();
        After = Hashes();
    }

    /// <summary>The number in every attack's process arguments and file names.</summary>
    public string Marker { get; }

    internal AeCourseCommand.Result Result { get; }

    public TimeSpan Elapsed { get; }

    public JsonObject Summary { get; }

    /// <summary>SHA-256 of the source and every submission before and after grading.</summary>
    public IReadOnlyDictionary<string, string> Before { get; }

    public IReadOnlyDictionary<string, string> After { get; }

    /// <summary>TCP connections the loopback server accepted.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>The graded copy of the grading fixture.</summary>
    public string SourcePath => _dir[Path.Combine("source", "source.ipynb")];

    public string this[string relative] => _dir[relative];

    public string SubmissionPath(string student) => _dir[Path.Combine("submitted", student, "source.ipynb")];

    public JsonObject Report(string student) =>
        Summary["submissions"]?.AsArray().Select(s => s!.AsObject()).SingleOrDefault(s => s["student"]!.GetValue<string>() == student)?["report"]?.AsObject()
        ?? throw new Xunit.Sdk.XunitException($"no report for {student}; exit {Result.ExitCode}\n{Result.Stdout}\n{Result.Stderr}");

    /// <summary>The processes on this machine whose command line holds the marker.</summary>
    public IReadOnlyList<string> MarkedProcesses()
    {
        var found = new List<string>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out _)) continue;
            try
            {
                var line = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (line.Contains(Marker, StringComparison.Ordinal) && !line.Contains("aecourse-test-", StringComparison.Ordinal)) found.Add($"{Path.GetFileName(dir)}: {line}");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        return found;
    }

    Dictionary<string, string> Hashes() =>
        Directory.EnumerateFiles(_dir["source"]).Concat(Directory.EnumerateFiles(_dir["submitted"], "*", SearchOption.AllDirectories))
            .ToDictionary(f => Path.GetRelativePath(_dir.Path, f), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))));

    async Task CountConnectionsAsync()
    {
        try
        {
            while (true)
            {
                using var client = await _listener.AcceptTcpClientAsync();
                Interlocked.Increment(ref _connections);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
    }

    /// <summary>
    /// The same command as an ordinary user (nobody) when the tests run as root: the class's folder handed to that user,
    /// the built command hard-linked into a folder it can read (the checkout may sit below a folder only root enters).
    /// As any other user, the tests already run unprivileged.
    /// </summary>
    AeCourseCommand.Result RunUnprivileged(List<string> command)
    {
        if (Environment.UserName != "root") return AeCourseCommand.Run(command.ToArray());
        var bin = _dir["bin"];
        Shell("cp", "-al", AppContext.BaseDirectory.TrimEnd('/'), bin);
        if (!File.Exists(Path.Combine(bin, "AeCourse.Cli.dll"))) Shell("cp", "-a", AppContext.BaseDirectory.TrimEnd('/') + "/.", bin);
        Shell("chmod", "755", _dir.Path);
        foreach (var folder in new[] { "source", "submitted", "outside", "home", "feedback" }) Shell("chown", "-R", "65534:65534", _dir[folder]);
        Shell("chown", "65534:65534", _dir.Path);

        var start = new ProcessStartInfo("setpriv") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "--reuid=65534", "--regid=65534", "--clear-groups", "--", "dotnet", Path.Combine(bin, "AeCourse.Cli.dll") }.Concat(command))
            start.ArgumentList.Add(a);
        start.Environment["HOME"] = _dir["home"];
        start.Environment["AECOURSE_DATA"] = Path.Combine(bin, "data-copy");
        Shell("cp", "-a", TestPaths.Data, Path.Combine(bin, "data-copy"));
        using var p = Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(8))) { p.Kill(entireProcessTree: true); throw new TimeoutException("grading as nobody ran over 8 minutes"); }
        return new AeCourseCommand.Result(p.ExitCode, stdout.Result, stderr.Result);
    }

    static void Shell(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var p = Process.Start(start)!;
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0 && !(file == "cp" && args[0] == "-al")) throw new InvalidOperationException($"{file} {string.Join(' ', args)}: {error}");
    }

    public void Dispose()
    {
        _listener.Stop();
        _dir.Dispose();
    }
}

/// <summary>The hostile class graded as the user the tests run as (root in CI).</summary>
public sealed class HostileClassAsRunner() : HostileClass(unprivileged: false);

/// <summary>The hostile class graded as an ordinary user.</summary>
public sealed class HostileClassUnprivileged() : HostileClass(unprivileged: true);

/// <summary>What every grading of the hostile class must show, whoever grades it.</summary>
public abstract class SandboxTests(HostileClass graded, ITestOutputHelper output)
{
    static double Earned(JsonObject report) => report["earned"]!.GetValue<double>();

    static string? Message(JsonObject report, string gradeId) =>
        report["tests"]!.AsArray().Single(t => t!["gradeId"]!.GetValue<string>() == gradeId)!["message"]?.GetValue<string>();

    static string Outputs(string feedbackPath, int cell) =>
        JsonNode.Parse(File.ReadAllText(feedbackPath))!["cells"]![cell]!["outputs"]!.ToJsonString();

    [Fact]
    public void Given_a_hostile_class_When_graded_Then_the_grader_exits_0_and_each_gets_exactly_its_honest_score()
    {
        Assert.True(graded.Result.ExitCode == 0, graded.Result.Stderr);
        foreach (var line in graded.Result.Stderr.Split('\n').Where(l => l.Contains("graded in", StringComparison.Ordinal))) output.WriteLine(line);
        output.WriteLine($"the whole class: {graded.Elapsed.TotalSeconds:0.0} s");
        // Memory parked in System V segments is in no process: only a cgroup counts it, and the grader makes one where the
        // machine lets it (as root on this machine kind's cgroup v1). Without one the segments escape the count, as
        // docs/grading.md says: the child sleeps its 20 s and the answer keeps its point.
        bool cgroup = graded.Result.Stderr.Contains("limits also held by the kernel", StringComparison.Ordinal);
        output.WriteLine(cgroup ? "graded with a cgroup" : "graded without a cgroup");
        if (!cgroup)
        {
            Assert.Equal(4, Earned(graded.Report("shared-memory")));
            Assert.Contains("hoarder exited with 0", Outputs(Path.Combine(graded["feedback"], "shared-memory", "source.ipynb"), 4));
        }
        foreach (var (name, _, points) in HostileClass.Attacks.Where(a => cgroup || a.Name != "shared-memory"))
        {
            var report = graded.Report(name);
            Assert.True(points == Earned(report), $"{name}: {Earned(report)} points, expected {points}: {report.ToJsonString()}");
            Assert.DoesNotContain(report["notes"]!.AsArray(), n => n!.GetValue<string>().Contains("without a sandbox", StringComparison.Ordinal));
        }
        // An attack that goes over a limit costs the exercise it stands in, with the limit named.
        Assert.Equal($"answer add (cell 5) failed: cell 5 went over the limit of {HostileClass.Processes} processes", Message(graded.Report("fork-past-limit"), "add-check"));
        foreach (var student in cgroup ? ["child-memory", "memory-file", "shared-memory"] : new[] { "child-memory", "memory-file" })
            Assert.Equal($"answer add (cell 5) failed: cell 5 went over the {HostileClass.MemoryMb} MB memory limit", Message(graded.Report(student), "add-check"));
        // The flood's feedback keeps the limit's worth of text and says how much more was dropped.
        Assert.Contains($"[output limit: 100,000 characters shown, {300 * (1 << 20) - 100_000:N0} more dropped]",
            Outputs(Path.Combine(graded["feedback"], "flood", "source.ipynb"), 4));
        var dev = Outputs(Path.Combine(graded["feedback"], "dev-files", "source.ipynb"), 4);
        Assert.Contains("write /dev/hoard: IOException", dev);
        Assert.Contains("write /dev/shm/hoard: IOException", dev);
    }

    [Fact]
    public void Given_attacks_on_files_When_graded_Then_the_source_and_every_submission_are_byte_identical_and_nothing_was_written_outside()
    {
        Assert.Equal(graded.Before, graded.After);
        Assert.Empty(Directory.GetFileSystemEntries(graded["outside"]));
        Assert.False(File.Exists(Path.Combine(graded["home"], "escaped.txt")));
        foreach (var path in new[] { $"/tmp/aecourse-escape-{graded.Marker}", $"/root/aecourse-escape-{graded.Marker}", $"/etc/aecourse-escape-{graded.Marker}" })
            Assert.False(File.Exists(path), path);
        // The summary is the grader's: the forged row is not in it.
        Assert.DoesNotContain("100", File.ReadAllText(graded["grades.csv"]).Split('\n').Single(l => l.StartsWith("tamper,", StringComparison.Ordinal)));
        // The attacks ran, and the sandbox answered them: the files were not there to read, write or delete.
        // (The source's own path is writable inside: the working folder, an empty one in memory, stands there.)
        var tamper = Outputs(Path.Combine(graded["feedback"], "tamper", "source.ipynb"), 4);
        Assert.Contains("overwrite " + graded.SubmissionPath("honest") + ": DirectoryNotFoundException", tamper);
        var written = Outputs(Path.Combine(graded["feedback"], "write-outside", "source.ipynb"), 4);
        Assert.Contains("write " + graded["outside"] + "/escaped.txt", written);
    }

    [Fact]
    public void Given_an_attempt_to_read_the_sources_When_graded_Then_its_feedback_holds_neither_solutions_nor_hidden_tests()
    {
        var feedback = File.ReadAllText(Path.Combine(graded["feedback"], "read-sources", "source.ipynb"));
        Assert.Contains("read " + graded.SourcePath + ": FileNotFoundException", feedback);
        Assert.Contains("read " + graded.SubmissionPath("honest") + ": DirectoryNotFoundException", feedback);
        // The working folder stands at the source's path, and is empty.
        Assert.Contains("listed: \\n", feedback);
        foreach (var secret in new[] { "BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "Squares(1).SequenceEqual", "Doubled([-1, 0.5])" })
            Assert.DoesNotContain(secret, feedback);
    }

    [Fact]
    public void Given_a_request_to_a_server_on_loopback_When_graded_Then_the_server_sees_none()
    {
        Assert.Equal(0, graded.Connections);
        var outputs = Outputs(Path.Combine(graded["feedback"], "network", "source.ipynb"), 4);
        Assert.Contains("tcp: SocketException", outputs);
        Assert.Contains("http: AggregateException", outputs);
    }

    [Fact]
    public void Given_detached_and_many_processes_When_grading_ends_Then_none_outlives_it()
    {
        Assert.Empty(graded.MarkedProcesses());
    }
}

public sealed class SandboxAsRunnerTests(HostileClassAsRunner graded, ITestOutputHelper output)
    : SandboxTests(graded, output), IClassFixture<HostileClassAsRunner>;

public sealed class SandboxUnprivilegedTests(HostileClassUnprivileged graded, ITestOutputHelper output)
    : SandboxTests(graded, output), IClassFixture<HostileClassUnprivileged>;

/// <summary>The sandbox's absence, its opt-out, the doctor's report of it, and what feedback shows of the hidden tests.</summary>
public sealed class SandboxSetupTests
{
    /// <summary>A PATH with the system's tools but no bubblewrap: a folder of links to /usr/bin's programs, bwrap left out.</summary>
    static Dictionary<string, string> WithoutBubblewrap(TempDir dir)
    {
        var bin = Directory.CreateDirectory(dir["bin"]).FullName;
        foreach (var tool in Directory.EnumerateFiles("/usr/bin").Where(f => Path.GetFileName(f) != "bwrap"))
            File.CreateSymbolicLink(Path.Combine(bin, Path.GetFileName(tool)), tool);
        return new Dictionary<string, string> { ["PATH"] = bin };
    }

    [Fact]
    public void Given_no_bubblewrap_When_grading_Then_the_grader_refuses_and_says_how_to_install_it()
    {
        using var dir = new TempDir();
        GraderTests.WriteSubmission(dir["student.ipynb"], new Dictionary<string, string?>());
        var result = AeCourseCommand.Run(WithoutBubblewrap(dir), "grade", dir["student.ipynb"], "--source", GraderTests.SourcePath, "--json", dir["report.json"]);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("bubblewrap is not installed", result.Stderr);
        Assert.Contains("sudo apt-get install bubblewrap", result.Stderr);
        Assert.Contains("--no-sandbox", result.Stderr);
        Assert.False(File.Exists(dir["report.json"]));
    }

    [Fact]
    public void Given_no_sandbox_asked_for_When_grading_Then_it_grades_with_a_warning_in_the_report()
    {
        using var dir = new TempDir();
        GraderTests.WriteSubmission(dir["student.ipynb"], new Dictionary<string, string?>());
        var result = AeCourseCommand.Run(WithoutBubblewrap(dir), "grade", dir["student.ipynb"], "--source", GraderTests.SourcePath,
            "--json", dir["report.json"], "--no-sandbox");
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("warning: graded without a sandbox", result.Stderr);
        var report = JsonNode.Parse(File.ReadAllText(dir["report.json"]))!;
        Assert.Equal(4, report["earned"]!.GetValue<double>());   // the released copy's own answers: the solutions
        Assert.Contains(report["notes"]!.AsArray(), n => n!.GetValue<string>().StartsWith("graded without a sandbox (--no-sandbox)", StringComparison.Ordinal));
    }

    [Fact]
    public void Given_the_doctor_When_bubblewrap_works_or_is_missing_Then_it_says_which()
    {
        var here = AeCourseCommand.Run("doctor");
        Assert.Contains("[ok  ] sandbox: bubblewrap", here.Stdout);
        using var dir = new TempDir();
        var without = AeCourseCommand.Run(WithoutBubblewrap(dir), "doctor");
        Assert.Contains("[note] sandbox: grading cannot sandbox submissions: bubblewrap is not installed", without.Stdout);
    }

    [Fact]
    public void Given_a_source_that_loads_a_file_beside_it_When_graded_in_the_sandbox_Then_that_file_is_there_and_nothing_else_is()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir["source/lib"]);
        File.WriteAllText(dir["source/lib/helpers.csx"], "int Twice(int x) => 2 * x;\n");
        File.WriteAllText(dir["source/secret.txt"], "the answers");
        // The source gains a plain cell that #loads the helper by a relative path, as a lecture may.
        var source = JsonNode.Parse(File.ReadAllText(GraderTests.SourcePath))!.AsObject();
        source["cells"]!.AsArray().Insert(3, new JsonObject
        {
            ["cell_type"] = "code", ["execution_count"] = null, ["metadata"] = new JsonObject(), ["outputs"] = new JsonArray(),
            ["source"] = "#load \"lib/helpers.csx\"\nConsole.WriteLine(Twice(21));",
        });
        File.WriteAllText(dir["source/source.ipynb"], source.ToJsonString());
        GraderTests.WriteSubmission(dir["student.ipynb"], new Dictionary<string, string?>
        {
            ["add"] = """
                foreach (var path in new[] { "secret.txt", "lib/helpers.csx" })
                    try { Console.WriteLine($"{path}: {System.IO.File.ReadAllText(path).Length} characters"); } catch (Exception e) { Console.WriteLine($"{path}: {e.GetType().Name}"); }
                int Add(int a, int b) => a + b;
                """,
        });
        var result = AeCourseCommand.Run("grade", dir["student.ipynb"], "--source", dir["source/source.ipynb"], "--json", dir["report.json"],
            "--executed", dir["feedback.ipynb"]);
        Assert.True(result.ExitCode == 0, result.Stderr);
        var report = JsonNode.Parse(File.ReadAllText(dir["report.json"]))!;
        Assert.Equal(4, report["earned"]!.GetValue<double>());
        Assert.Empty(report["notes"]!.AsArray());
        var cells = JsonNode.Parse(File.ReadAllText(dir["feedback.ipynb"]))!["cells"]!.AsArray();
        Assert.Contains("42", cells[3]!["outputs"]!.ToJsonString());
        var answer = cells[5]!["outputs"]!.ToJsonString();
        Assert.Contains("secret.txt: FileNotFoundException", answer);
        Assert.Contains($"lib/helpers.csx: {File.ReadAllText(dir["source/lib/helpers.csx"]).Length} characters", answer);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Given_feedback_When_graded_Then_the_hidden_tests_code_shows_only_when_asked_for(bool show)
    {
        using var dir = new TempDir();
        GraderTests.WriteSubmission(dir["student.ipynb"], new Dictionary<string, string?> { ["squares"] = "int[] Squares(int n) => n == 1 ? [] : Enumerable.Range(0, n).Select(i => i * i).ToArray();" });
        var args = new List<string> { "grade", dir["student.ipynb"], "--source", GraderTests.SourcePath, "--executed", dir["feedback.ipynb"] };
        if (show) args.Add("--show-hidden-tests");
        var result = AeCourseCommand.Run(args.ToArray());
        Assert.True(result.ExitCode == 0, result.Stderr);
        var cells = JsonNode.Parse(File.ReadAllText(dir["feedback.ipynb"]))!["cells"]!.AsArray();
        var check = cells[8]!;   // squares-check: its visible check passes, its hidden one fails
        var source = string.Concat(check["source"]!.AsArray().Select(l => l!.GetValue<string>()));
        Assert.Equal(show, source.Contains("BEGIN HIDDEN TESTS", StringComparison.Ordinal));
        Assert.Equal(show, source.Contains("Squares(1)", StringComparison.Ordinal));
        Assert.StartsWith("var expected = Enumerable.Range(0, size)", source);
        // Either way the student sees that a check failed, and its message.
        Assert.Equal("error", check["outputs"]![0]!["output_type"]!.GetValue<string>());
    }
}
