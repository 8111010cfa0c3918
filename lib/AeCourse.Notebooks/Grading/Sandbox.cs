using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace AeCourse.Notebooks.Grading;

/// <summary>Where and how grading workers are isolated.</summary>
public sealed record SandboxOptions
{
    /// <summary>Run each worker in a bubblewrap sandbox (the default); false runs it as the grader's own user, with its files and network.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Folders or files the worker may read besides the system, the .NET runtime and the kit (e.g. the data folder).</summary>
    public IReadOnlyList<string> ReadOnlyPaths { get; init; } = [];

    /// <summary>Environment variables the worker gets besides the sandbox's own (e.g. AECOURSE_DATA).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
}

/// <summary>
/// The bubblewrap sandbox a grading worker runs in. Inside: the system (<c>/usr</c> and the few files of <c>/etc</c> the
/// runtime reads), the .NET runtime, the kit and the paths the source needs, all read-only; a private home, <c>/tmp</c>
/// and working folder in memory that vanish with it; a fresh PID namespace (ending its first process ends every
/// process in it), no network (a network namespace of its own, with nothing but its own loopback), no capabilities, an environment
/// of its own. The working folder stands at the source notebook's path, so relative <c>#r</c>/<c>#load</c> paths still
/// resolve, but it is empty: the source and every submission stay invisible; cells arrive on standard input.
/// </summary>
public static partial class Sandbox
{
    /// <summary>Where the worker's private home is mounted.</summary>
    public const string Home = "/sandbox/home";

    /// <summary>What an instructor types to get bubblewrap.</summary>
    public const string InstallHint = "install bubblewrap (Debian/Ubuntu: sudo apt-get install bubblewrap; Fedora: sudo dnf install bubblewrap)";

    /// <summary>The note a report carries when its submission ran without a sandbox.</summary>
    public const string NotSandboxedNote =
        "graded without a sandbox (--no-sandbox): the submission could read and change the grader's files and reach the network";

    static readonly string[] EtcFiles =
    [
        "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/os-release", "/etc/passwd", "/etc/group",
        "/etc/nsswitch.conf", "/etc/localtime", "/etc/timezone", "/etc/alternatives", "/etc/fonts", "/etc/dotnet",
    ];

    // Variables the worker keeps from the grader's environment when they are set; everything else is cleared.
    static readonly string[] KeptVariables =
    [
        "LANG", "LC_ALL", "TZ", "OMP_NUM_THREADS", "OMP_WAIT_POLICY", "MKL_NUM_THREADS", "AECOURSE_NATIVE_COMPAT",
        "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT",
    ];

    /// <summary>The bubblewrap executable on the PATH, or null when there is none.</summary>
    public static string? Executable()
    {
        foreach (var dir in (System.Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var path = Path.Combine(dir, "bwrap");
            if (File.Exists(path)) return path;
        }
        return null;
    }

    /// <summary>
    /// Tries the sandbox on this machine: starts <c>/bin/true</c> in it. Null when it works, else why not (bubblewrap
    /// missing, or user namespaces refused by the kernel).
    /// </summary>
    public static async Task<string?> ProbeAsync()
    {
        if (Executable() is not { } bwrap) return $"bubblewrap is not installed: {InstallHint}";
        var layout = new SandboxLayout("/", [], new Dictionary<string, string>(), 16 << 20);
        var start = new ProcessStartInfo(bwrap) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in Arguments(layout)) start.ArgumentList.Add(a);
        start.ArgumentList.Add("/bin/true");
        try
        {
            using var process = ProcessSpawner.Start(start);
            var error = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return process.ExitCode == 0 ? null : $"{bwrap} failed (exit {process.ExitCode}): {error.Trim()}";
        }
        catch (System.ComponentModel.Win32Exception e) { return $"{bwrap} could not start: {e.Message}"; }
    }

    /// <summary>
    /// Which cgroup the grader can make here to have the kernel hold each worker to its limits too ("cgroup v1",
    /// "cgroup v2"), or null where it can make none and its own count of processes and memory files applies alone.
    /// </summary>
    public static string? KernelLimits()
    {
        using var cgroup = Cgroup.TryCreate(64L << 20, 64);
        return cgroup?.Version;
    }

    /// <summary>The bubblewrap version, for reports (e.g. "bubblewrap 0.8.0"); null when unknown.</summary>
    public static string? Version()
    {
        if (Executable() is not { } bwrap) return null;
        try
        {
            using var process = Process.Start(new ProcessStartInfo(bwrap, "--version") { RedirectStandardOutput = true, UseShellExecute = false })!;
            var text = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            return text.Length > 0 ? text : null;
        }
        catch (System.ComponentModel.Win32Exception) { return null; }
    }

    /// <summary>
    /// The layout for a worker that runs <paramref name="worker"/> for a source in <paramref name="sourceFolder"/>:
    /// the kit's folder, the .NET runtime, the paths the source's cells reference and the options' own paths, read-only.
    /// </summary>
    internal static SandboxLayout LayoutFor(WorkerCommand worker, string sourceFolder, IEnumerable<string> sourceCells, SandboxOptions options,
                                          IReadOnlyDictionary<string, string> workerEnvironment, long memoryBytes)
    {
        var readOnly = new List<string> { AppContext.BaseDirectory, DotnetRoot() };
        readOnly.AddRange(worker.Arguments.Where(Path.IsPathRooted).Select(a => File.Exists(a) ? Path.GetDirectoryName(a)! : a));
        if (Path.IsPathRooted(worker.FileName)) readOnly.Add(Path.GetDirectoryName(worker.FileName)!);
        readOnly.AddRange(options.ReadOnlyPaths);
        readOnly.AddRange(ReferencedPaths(sourceCells, sourceFolder));

        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["HOME"] = Home, ["TMPDIR"] = "/tmp", ["PATH"] = "/usr/local/bin:/usr/bin:/bin", ["DOTNET_ROOT"] = DotnetRoot(),
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1", ["DOTNET_NOLOGO"] = "1",
        };
        foreach (var name in KeptVariables)
            if (System.Environment.GetEnvironmentVariable(name) is { Length: > 0 } value) environment[name] = value;
        foreach (var (name, value) in options.Environment) environment[name] = value;
        foreach (var (name, value) in workerEnvironment) environment[name] = value;
        environment.TryAdd("LANG", "C.UTF-8");
        // The three writable folders live in memory, outside the processes' resident memory the watch counts: each holds
        // at most an eighth of the memory limit (and no more than 512 MiB), so together they add at most 3/8 to it.
        long tmpfsBytes = Math.Clamp(memoryBytes / 8, 16L << 20, 512L << 20);
        return new SandboxLayout(Path.GetFullPath(sourceFolder), readOnly.Select(p => Path.GetFullPath(p)).Distinct().ToList(), environment, tmpfsBytes);
    }

    /// <summary>bubblewrap's arguments for <paramref name="layout"/>, up to (not including) the command.</summary>
    internal static IReadOnlyList<string> Arguments(SandboxLayout layout)
    {
        var args = new List<string>
        {
            // Every namespace bubblewrap knows (network included), a user namespace even as root, and no capabilities in
            // it: root outside stays an ordinary user inside. No further user namespaces inside, no terminal to inject into.
            "--unshare-all", "--unshare-user", "--disable-userns", "--cap-drop", "ALL", "--die-with-parent", "--new-session",
            "--hostname", "sandbox", "--clearenv",
        };
        foreach (var (name, value) in layout.Environment.OrderBy(e => e.Key, StringComparer.Ordinal)) args.AddRange(["--setenv", name, value]);

        var mounts = new List<(string Path, string[] Args)>
        {
            ("/usr", ["--ro-bind", "/usr", "/usr"]),
            ("/proc", ["--proc", "/proc"]),
            ("/dev", ["--dev", "/dev"]),
            ("/tmp", ["--size", Bytes(layout.TmpfsBytes), "--tmpfs", "/tmp"]),
            (Home, ["--size", Bytes(layout.TmpfsBytes), "--tmpfs", Home]),
            ("/sys/devices/system/cpu", ["--ro-bind-try", "/sys/devices/system/cpu", "/sys/devices/system/cpu"]),
        };
        foreach (var link in new[] { "lib", "lib64", "bin", "sbin" })
            if (IsSymlink("/" + link)) args.AddRange(["--symlink", "usr/" + link, "/" + link]);
            else if (Directory.Exists("/" + link)) mounts.Add(("/" + link, ["--ro-bind", "/" + link, "/" + link]));
        foreach (var etc in EtcFiles) mounts.Add((etc, ["--ro-bind-try", etc, etc]));
        if (layout.WorkingFolder != "/") mounts.Add((layout.WorkingFolder, ["--size", Bytes(layout.TmpfsBytes), "--tmpfs", layout.WorkingFolder]));
        foreach (var path in layout.ReadOnly.Where(p => !Covered(p)))
            mounts.Add((path, ["--ro-bind", path, path]));
        // A mount hides what an earlier one put below it: shallower paths first, so /tmp's tmpfs does not hide the kit
        // when the kit lives under /tmp.
        foreach (var (_, mountArgs) in mounts.OrderBy(m => Depth(m.Path)).ThenBy(m => m.Path, StringComparer.Ordinal)) args.AddRange(mountArgs);
        // The root bubblewrap builds is a writable tmpfs, and so is its /dev (as large as half the machine's memory, and
        // outside every process's resident memory): make both read-only once everything is mounted.
        args.AddRange(["--remount-ro", "/dev", "--remount-ro", "/", "--chdir", layout.WorkingFolder]);
        return args;
    }

    /// <summary>The files that <c>#r "file"</c> and <c>#load "file"</c> lines name (not <c>nuget:</c>), resolved against the source's folder, followed through loaded scripts.</summary>
    internal static IReadOnlyList<string> ReferencedPaths(IEnumerable<string> cells, string folder)
    {
        var found = new List<string>();
        var pending = new Queue<(string Text, string Folder)>(cells.Select(c => (c, folder)));
        while (pending.TryDequeue(out var item))
            foreach (Match m in Directive().Matches(item.Text))
            {
                var target = m.Groups["path"].Value;
                if (target.StartsWith("nuget:", StringComparison.OrdinalIgnoreCase)) continue;
                var path = Path.GetFullPath(target, item.Folder);
                if (!File.Exists(path) || found.Contains(path)) continue;
                found.Add(path);
                if (m.Groups["verb"].Value == "load") pending.Enqueue((File.ReadAllText(path), Path.GetDirectoryName(path)!));
            }
        return found;
    }

    /// <summary>The .NET installation the worker's runtime comes from (three folders above the runtime's own).</summary>
    static string DotnetRoot()
    {
        var runtime = RuntimeEnvironment.GetRuntimeDirectory().TrimEnd('/');
        return Path.GetFullPath(Path.Combine(runtime, "..", "..", ".."));
    }

    /// <summary>Already inside <c>/usr</c>, which is bound whole.</summary>
    static bool Covered(string path) => path == "/usr" || path.StartsWith("/usr/", StringComparison.Ordinal);

    static bool IsSymlink(string path) => new FileInfo(path).LinkTarget is not null;

    static int Depth(string path) => path.TrimEnd('/').Count(c => c == '/');

    static string Bytes(long n) => n.ToString(System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex("""^\s*#(?<verb>r|load)\s+"(?<path>[^"]+)"\s*$""", RegexOptions.Multiline)]
    private static partial Regex Directive();
}

/// <summary>What one sandbox holds.</summary>
/// <param name="WorkingFolder">The empty in-memory folder the worker starts in, at the source's path.</param>
/// <param name="ReadOnly">Host paths bound read-only at the same place.</param>
/// <param name="Environment">The worker's whole environment.</param>
/// <param name="TmpfsBytes">Size of each in-memory folder.</param>
internal sealed record SandboxLayout(string WorkingFolder, IReadOnlyList<string> ReadOnly, IReadOnlyDictionary<string, string> Environment, long TmpfsBytes);
