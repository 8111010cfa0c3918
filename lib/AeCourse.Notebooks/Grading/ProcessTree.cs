using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;

namespace AeCourse.Notebooks.Grading;

/// <summary>
/// A process and everything below it, read from Linux's <c>/proc</c>: how many processes, and their memory summed —
/// resident memory, plus the memory files (<c>memfd_create</c>) they hold open, which no resident set shows while they
/// are not mapped. A process that detaches itself (<c>setsid</c>, a double fork) inside a PID namespace is re-parented
/// to that namespace's init, which stays below the root, so it is still counted. Pages two processes share are counted
/// for each: the sum errs on the side of the limit.
/// </summary>
internal static class ProcessTree
{
    static readonly long PageSize = Environment.SystemPageSize;

    /// <summary>Processes in the tree rooted at <paramref name="root"/> (the root included) and the bytes they hold.</summary>
    /// <remarks>
    /// The listing is a snapshot, and process ids are reused (soon, where the system allows only 32,768 of them and
    /// other processes fork fast): a child that ended after the listing may already be someone else's process by the
    /// time its memory is read. So each process below the root is counted only if, after its memory was read, it still
    /// has the parent it was listed under and the start time it was listed with.
    /// </remarks>
    public static (int Count, long Bytes) Measure(int root) => Measure(root, Listing());

    /// <summary>What <see cref="Measure(int)"/> counts, process by process, for the grader's log when a worker is stopped.</summary>
    public static string Describe(int root)
    {
        var parts = new List<string>();
        var (_, total) = Measure(root, Listing(), (pid, bytes) => parts.Add(pid == 0 ? $"memory files {bytes >> 20} MB" : $"{pid} {Name(pid)} {bytes >> 20} MB"));
        return $"{total >> 20} MB in all: {string.Join(", ", parts)}";
    }

    static string Name(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/comm").Trim(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return "?"; }
    }

    /// <summary><see cref="Measure(int)"/> from a given listing of the processes (the tests give it a stale one).</summary>
    internal static (int Count, long Bytes) Measure(int root, IEnumerable<Listed> listing, Action<int, long>? counted = null)
    {
        var children = new Dictionary<int, List<Listed>>();
        foreach (var listed in listing)
        {
            if (!children.TryGetValue(listed.Parent, out var list)) children[listed.Parent] = list = [];
            list.Add(listed);
        }
        int count = 0;
        long resident = 0;
        var pending = new Stack<Listed?>([null]);   // null: the root, which the caller holds and so cannot be reused
        var seen = new HashSet<int>();
        var memoryFiles = new Dictionary<long, long>();   // inode → size: one file open in several processes counts once
        while (pending.TryPop(out var next))
        {
            int pid = next?.Pid ?? root;
            if (!seen.Add(pid)) continue;
            if (Resident(pid) is not { } bytes) continue;   // gone since the listing
            if (next is { } listed && Read(pid) != listed) continue;   // ended, and its id taken by another process
            count++;
            resident += bytes;
            counted?.Invoke(pid, bytes);
            AddMemoryFiles(pid, memoryFiles);
            if (children.TryGetValue(pid, out var below)) foreach (var child in below) pending.Push(child);
        }
        if (memoryFiles.Count > 0) counted?.Invoke(0, memoryFiles.Values.Sum());
        return (count, resident + memoryFiles.Values.Sum());
    }

    /// <summary>The memory files a process holds open (<c>/proc/PID/fd</c> links to <c>/memfd:…</c>), by inode.</summary>
    static void AddMemoryFiles(int pid, Dictionary<long, long> found)
    {
        IEnumerable<string> fds;
        try { fds = Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return; }
        try
        {
            foreach (var fd in fds)
            {
                var target = new FileInfo(fd).LinkTarget;
                if (target is null || !target.StartsWith("/memfd:", StringComparison.Ordinal)) continue;
                var inode = File.ReadLines($"/proc/{pid}/fdinfo/{Path.GetFileName(fd)}").FirstOrDefault(l => l.StartsWith("ino:", StringComparison.Ordinal));
                if (inode is null || !long.TryParse(inode[4..].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long id)) continue;
                if (AllocatedBytes(fd) is { } bytes) found[id] = bytes;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }   // the process or the descriptor went away
    }

    /// <summary>One process as <c>/proc/PID/stat</c> shows it: its id, its parent's, and when it started (clock ticks after boot).</summary>
    internal readonly record struct Listed(int Pid, int Parent, ulong Started);

    /// <summary>Every process, from <c>/proc</c>.</summary>
    internal static IEnumerable<Listed> Listing()
    {
        IEnumerable<string> entries;
        try { entries = Directory.EnumerateDirectories("/proc"); }
        catch (IOException) { yield break; }
        foreach (var entry in entries)
            if (int.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out int pid) && Read(pid) is { } listed)
                yield return listed;
    }

    /// <summary>A process's <c>/proc/PID/stat</c>; null when it is gone or unreadable.</summary>
    internal static Listed? Read(int pid)
    {
        string stat;
        try { stat = File.ReadAllText($"/proc/{pid}/stat"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
        // "pid (comm) state ppid … starttime (field 22) …": comm may hold spaces and parentheses, so read from the last ')'.
        var fields = stat[(stat.LastIndexOf(')') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length > 19
            && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out int parent)
            && ulong.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out ulong started)
            ? new Listed(pid, parent, started) : null;
    }

    /// <summary>
    /// The bytes a file really holds (its blocks, not its size: the .NET runtime itself keeps a memory file as large as its
    /// executable address space, nearly all of it never written), following the link; null where this cannot be read.
    /// </summary>
    static long? AllocatedBytes(string path)
    {
        // st_blocks sits at byte 64 of struct stat on both x86-64 and arm64 Linux; glibc exports stat since 2.33.
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture is not (Architecture.X64 or Architecture.Arm64)) return null;
        Span<byte> stat = stackalloc byte[256];
        try
        {
            if (Stat(path, ref MemoryMarshal.GetReference(stat)) != 0) return null;
        }
        catch (EntryPointNotFoundException) { return null; }
        return BinaryPrimitives.ReadInt64LittleEndian(stat[64..]) * 512;
    }

    [DllImport("libc", EntryPoint = "stat", SetLastError = true)]
    static extern int Stat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, ref byte buffer);

    /// <summary>Resident bytes of one process (<c>/proc/PID/statm</c>'s second field, in pages); null when it is gone.</summary>
    static long? Resident(int pid)
    {
        try
        {
            var fields = File.ReadAllText($"/proc/{pid}/statm").Split(' ');
            return long.Parse(fields[1], CultureInfo.InvariantCulture) * PageSize;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException) { return null; }
    }
}
