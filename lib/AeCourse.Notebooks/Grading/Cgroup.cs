using System.Globalization;
using System.Security.Cryptography;

namespace AeCourse.Notebooks.Grading;

/// <summary>
/// A control group made for one worker, where this machine lets the grader make one: the kernel itself then holds the
/// worker and everything it starts to the memory limit — memory no process's resident set shows included (System V
/// shared memory, pipe and socket buffers, files in its in-memory folders) — and caps its tasks. The grader's own count
/// (<see cref="ProcessTree"/>) still runs beside it and names the limit; a kill by the kernel's OOM killer inside the
/// group is read as going over the memory limit.
/// </summary>
/// <remarks>
/// A grader can make one on a cgroup v1 hierarchy it may write to (as root, on hybrid or legacy systems), or on cgroup v2
/// where its own group delegates the memory and pids controllers to its children (a systemd unit with
/// <c>Delegate=yes</c>, a container's own cgroup namespace). Elsewhere — an ordinary user on a cgroup v2 system — there
/// is none, and the grader's count alone applies.
/// </remarks>
internal sealed class Cgroup : IDisposable
{
    const string Root = "/sys/fs/cgroup";

    readonly List<string> _folders;
    readonly string _oomFile;

    Cgroup(string version, List<string> folders, string oomFile)
    {
        Version = version;
        _folders = folders;
        _oomFile = oomFile;
    }

    /// <summary>"cgroup v1" or "cgroup v2".</summary>
    public string Version { get; }

    /// <summary>The files a process writes its id into to join the group (one per hierarchy).</summary>
    public IReadOnlyList<string> ProcsFiles => _folders.Select(f => Path.Combine(f, "cgroup.procs")).ToList();

    /// <summary>Whether the kernel's OOM killer ended a process of the group.</summary>
    public bool OutOfMemory => Counter(_oomFile, "oom_kill") > 0;

    /// <summary>A group holding at most <paramref name="memoryBytes"/> and <paramref name="tasks"/> tasks (threads count), or null where none can be made.</summary>
    public static Cgroup? TryCreate(long memoryBytes, int tasks)
    {
        var name = "aecourse-grade-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(6)).ToLowerInvariant();
        var own = OwnGroups();
        var made = new List<string>();
        try
        {
            if (own.TryGetValue("memory", out var memory) && own.TryGetValue("pids", out var pids)
                && Directory.Exists(Path.Combine(Root, "memory")) && Directory.Exists(Path.Combine(Root, "pids")))
            {
                var memoryFolder = Make(Path.Combine(Root, "memory") + memory, name, made);
                Write(memoryFolder, "memory.limit_in_bytes", memoryBytes);
                // Without swap accounting the limit already keeps the group out of swap's reach no further; where it is
                // accounted, the same value keeps it from swapping past the limit.
                TryWrite(memoryFolder, "memory.memsw.limit_in_bytes", memoryBytes);
                Write(Make(Path.Combine(Root, "pids") + pids, name, made), "pids.max", tasks);
                return new Cgroup("cgroup v1", made, Path.Combine(memoryFolder, "memory.oom_control"));
            }
            if (own.TryGetValue("", out var unified) && File.Exists(Path.Combine(Root, "cgroup.controllers")))
            {
                var parent = Root + unified;
                var delegated = File.ReadAllText(Path.Combine(parent, "cgroup.subtree_control")).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                if (!delegated.Contains("memory") || !delegated.Contains("pids")) return null;
                var folder = Make(parent, name, made);
                Write(folder, "memory.max", memoryBytes);
                TryWrite(folder, "memory.swap.max", 0);
                Write(folder, "pids.max", tasks);
                return new Cgroup("cgroup v2", made, Path.Combine(folder, "memory.events"));
            }
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Remove(made);
            return null;
        }
    }

    /// <inheritdoc />
    public void Dispose() => Remove(_folders);

    /// <summary>This process's group in each hierarchy, by controller ("" for cgroup v2's unified one).</summary>
    static Dictionary<string, string> OwnGroups()
    {
        var groups = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            // "4:memory:/path" (v1, controllers comma-separated) or "0::/path" (v2).
            foreach (var line in File.ReadLines("/proc/self/cgroup"))
            {
                var parts = line.Split(':', 3);
                if (parts.Length != 3) continue;
                foreach (var controller in parts[1].Split(','))
                    groups.TryAdd(controller, parts[2] == "/" ? "" : parts[2]);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        return groups;
    }

    static string Make(string parent, string name, List<string> made)
    {
        var folder = Path.Combine(parent, name);
        Directory.CreateDirectory(folder);
        made.Add(folder);
        return folder;
    }

    static void Write(string folder, string file, long value) =>
        File.WriteAllText(Path.Combine(folder, file), value.ToString(CultureInfo.InvariantCulture));

    static void TryWrite(string folder, string file, long value)
    {
        try { Write(folder, file, value); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }   // not on this kernel or not accounted
    }

    /// <summary>The value after <paramref name="key"/> on its line of a flat-keyed file such as memory.events.</summary>
    static long Counter(string file, string key)
    {
        try
        {
            foreach (var line in File.ReadLines(file))
                if (line.StartsWith(key + " ", StringComparison.Ordinal) || line.StartsWith(key + "\t", StringComparison.Ordinal))
                    return long.Parse(line[key.Length..].Trim(), CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { }
        return 0;
    }

    /// <summary>Removes the groups once their processes are gone (the kernel ends a PID namespace's last ones a moment after its init).</summary>
    static void Remove(List<string> folders)
    {
        foreach (var folder in folders)
            for (int attempt = 0; attempt < 100 && Directory.Exists(folder); attempt++)
            {
                try { Directory.Delete(folder); }
                catch (IOException) { Thread.Sleep(20); }
                catch (UnauthorizedAccessException) { break; }
            }
    }
}
