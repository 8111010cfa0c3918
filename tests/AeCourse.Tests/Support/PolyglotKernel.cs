using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AeCourse.Tests.Support;

/// <summary>One event the kernel sent for a submitted cell: its type (e.g. DisplayedValueProduced) and its body.</summary>
sealed record KernelEvent(string Type, JsonObject Body)
{
    /// <summary>The formatted values of a display, return value or stream event: MIME type → text.</summary>
    public IReadOnlyDictionary<string, string> Values =>
        (Body["formattedValues"] as JsonArray ?? []).OfType<JsonObject>()
        .ToDictionary(v => v["mimeType"]!.GetValue<string>(), v => v["value"]?.GetValue<string>() ?? "");

    /// <summary>The display id of a DisplayedValueProduced / DisplayedValueUpdated event.</summary>
    public string? ValueId => Body["valueId"]?.GetValue<string>();
}

/// <summary>What the kernel did with one cell: success or its failure message, and every event in order.</summary>
sealed record KernelCell(int Index, string Code, bool Succeeded, string? Failure, IReadOnlyList<KernelEvent> Events, TimeSpan Time)
{
    public string Stdout => string.Concat(Events.Where(e => e.Type == "StandardOutputValueProduced").Select(e => e.Values.GetValueOrDefault("text/plain", "")));

    public string Stderr => string.Concat(Events.Where(e => e.Type == "StandardErrorValueProduced").Select(e => e.Values.GetValueOrDefault("text/plain", "")));
}

/// <summary>
/// The real Polyglot Notebooks kernel, Microsoft's <c>dotnet-interactive</c> tool, as VS Code launches it
/// (<c>dotnet-interactive stdio --default-kernel csharp --working-dir FOLDER</c>), driven through its JSON command
/// protocol: one SubmitCode envelope per cell on stdin, event envelopes read back from stdout until the command
/// succeeds or fails. The tool is installed into a folder of its own with a private NuGet cache and home, so the run
/// starts as on a fresh machine and touches nothing of the user's.
/// </summary>
sealed class PolyglotKernel : IDisposable
{
    public const string ToolVersion = "1.0.712001";

    readonly Process _process;
    readonly BlockingQueue _lines = new();
    int _submissions;

    PolyglotKernel(Process process)
    {
        _process = process;
        _ = Task.Run(() =>
        {
            while (process.StandardOutput.ReadLine() is { } line) _lines.Add(line);
            _lines.Add(null);
        });
        _ = Task.Run(() => process.StandardError.ReadToEnd());
    }

    /// <summary>Starts a kernel whose working folder is <paramref name="workingDir"/> (the notebook's folder, as in VS Code).</summary>
    public static PolyglotKernel Start(KernelInstall install, string workingDir)
    {
        var start = new ProcessStartInfo(install.Executable)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDir,
        };
        foreach (var a in new[] { "stdio", "--default-kernel", "csharp", "--working-dir", workingDir }) start.ArgumentList.Add(a);
        foreach (var (k, v) in install.Environment) start.Environment[k] = v;
        var kernel = new PolyglotKernel(Process.Start(start)!);
        kernel.WaitFor(e => e.Type == "KernelReady", TimeSpan.FromMinutes(2));
        return kernel;
    }

    /// <summary>Submits one cell and waits for its end.</summary>
    public KernelCell Submit(string code, TimeSpan timeout)
    {
        var token = $"cell-{++_submissions}";
        var envelope = new JsonObject
        {
            ["commandType"] = "SubmitCode",
            ["command"] = new JsonObject { ["code"] = code, ["targetKernelName"] = "csharp" },
            ["token"] = token,
        };
        var clock = Stopwatch.StartNew();
        _process.StandardInput.WriteLine(envelope.ToJsonString());
        _process.StandardInput.Flush();
        var events = new List<KernelEvent>();
        while (true)
        {
            var (type, body, eventToken) = Next(timeout - clock.Elapsed, $"cell {_submissions}");
            if (eventToken != token && eventToken?.StartsWith(token + ".", StringComparison.Ordinal) != true) continue;
            if (eventToken == token && type is "CommandSucceeded" or "CommandFailed")
                return new KernelCell(_submissions - 1, code, type == "CommandSucceeded", body["message"]?.GetValue<string>(), events, clock.Elapsed);
            events.Add(new KernelEvent(type, body));
        }
    }

    void WaitFor(Func<KernelEvent, bool> done, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var (type, body, _) = Next(timeout - clock.Elapsed, "start-up");
            if (done(new KernelEvent(type, body))) return;
        }
    }

    /// <summary>The next event envelope; lines that are not JSON (the tool's banner) are skipped.</summary>
    (string Type, JsonObject Body, string? Token) Next(TimeSpan timeout, string what)
    {
        while (true)
        {
            if (timeout <= TimeSpan.Zero || !_lines.TryTake(timeout, out var line))
                throw new TimeoutException($"dotnet-interactive sent nothing for {what} within the limit");
            if (line is null) throw new InvalidOperationException($"dotnet-interactive exited (code {(_process.WaitForExit(5000) ? _process.ExitCode : -1)}) during {what}");
            if (!line.StartsWith('{')) continue;
            JsonObject envelope;
            try { envelope = JsonNode.Parse(line)!.AsObject(); }
            catch (JsonException) { continue; }
            if (envelope["eventType"]?.GetValue<string>() is not { } type) continue;
            return (type, envelope["event"] as JsonObject ?? [], envelope["command"]?["token"]?.GetValue<string>());
        }
    }

    public void Dispose()
    {
        try { _process.StandardInput.Close(); } catch (IOException) { }
        if (!_process.WaitForExit(3000)) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }

    /// <summary>Lines from the reader task; null marks the end of the stream.</summary>
    sealed class BlockingQueue
    {
        readonly System.Collections.Concurrent.BlockingCollection<string?> _items = new();
        public void Add(string? line) => _items.Add(line);
        public bool TryTake(TimeSpan timeout, out string? line) => _items.TryTake(out line, timeout);
    }
}

/// <summary>
/// The kernel tool installed for a test run: <c>dotnet tool install --tool-path DIR Microsoft.dotnet-interactive</c>
/// into a fresh folder, with a private NUGET_PACKAGES and HOME (the kernel caches package resolutions under HOME),
/// and the kit packed as the README says (<c>dotnet pack lib/AeCourse -o artifacts/packages</c>).
/// </summary>
public sealed class KernelInstall : IDisposable
{
    readonly TempDir _root = new();

    public string Executable { get; }

    public IReadOnlyDictionary<string, string> Environment { get; }

    public KernelInstall()
    {
        var home = Directory.CreateDirectory(_root["home"]).FullName;
        Environment = new Dictionary<string, string>
        {
            ["HOME"] = home, ["DOTNET_CLI_HOME"] = home, ["NUGET_PACKAGES"] = _root["nuget"],
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1", ["DOTNET_INTERACTIVE_CLI_TELEMETRY_OPTOUT"] = "1", ["DOTNET_NOLOGO"] = "1",
            ["DOTNET_INTERACTIVE_SKIP_FIRST_TIME_EXPERIENCE"] = "1",
        };
        // The README's step, in the user's own environment (it builds the kit as a developer would).
        Run(TestPaths.Repo, privately: false, "pack", "lib/AeCourse", "-o", "artifacts/packages", "-v", "quiet", "-nologo");
        Run(_root.Path, privately: true, "tool", "install", "--tool-path", _root["tool"], "Microsoft.dotnet-interactive", "--version", PolyglotKernel.ToolVersion);
        Executable = _root["tool/dotnet-interactive"];
    }

    /// <summary>Runs the dotnet CLI (with this install's private environment if <paramref name="privately"/>); throws with its output when it fails.</summary>
    public string Run(string workingDir, bool privately, params string[] args) => Run("dotnet", workingDir, privately, args);

    /// <summary>Runs the kernel tool itself (e.g. <c>jupyter install</c>) in its private environment.</summary>
    public string Tool(string workingDir, params string[] args) => Run(Executable, workingDir, privately: true, args);

    string Run(string program, string workingDir, bool privately, string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDir };
        foreach (var a in args) start.ArgumentList.Add(a);
        if (privately)
            foreach (var (k, v) in Environment) start.Environment[k] = v;
        using var p = Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(10))) { p.Kill(entireProcessTree: true); throw new TimeoutException($"{program} {string.Join(' ', args)} ran over 10 minutes"); }
        if (p.ExitCode != 0) throw new InvalidOperationException($"{program} {string.Join(' ', args)} exited {p.ExitCode}:\n{stdout.Result}{stderr.Result}");
        return stdout.Result;
    }

    public void Dispose() => _root.Dispose();
}
