using System.Globalization;

namespace AeCourse.Notebooks.Grading;

/// <summary>
/// A process and everything below it, read from Linux's <c>/proc</c>: how many processes, and their resident memory
/// summed. A process that detaches itself (<c>setsid</c>, a double fork) inside a PID namespace is re-parented to that
/// namespace's init, which stays below the root, so it is still counted. Pages two processes share are counted for each:
/// the sum errs on the side of the limit.
/// </summary>
internal static class ProcessTree
{
    static readonly long PageSize = Environment.SystemPageSize;

    /// <summary>Processes in the tree rooted at <paramref name="root"/> (the root included) and their resident bytes.</summary>
    public static (int Count, long ResidentBytes) Measure(int root)
    {
        var children = new Dictionary<int, List<int>>();
        foreach (var (pid, parent) in Parents())
        {
            if (!children.TryGetValue(parent, out var list)) children[parent] = list = [];
            list.Add(pid);
        }
        int count = 0;
        long resident = 0;
        var pending = new Stack<int>([root]);
        var seen = new HashSet<int>();
        while (pending.TryPop(out int pid))
        {
            if (!seen.Add(pid)) continue;
            if (Resident(pid) is not { } bytes) continue;   // gone since the listing
            count++;
            resident += bytes;
            if (children.TryGetValue(pid, out var below)) foreach (var child in below) pending.Push(child);
        }
        return (count, resident);
    }

    /// <summary>Every process's id and its parent's, from <c>/proc/PID/stat</c>.</summary>
    static IEnumerable<(int Pid, int Parent)> Parents()
    {
        IEnumerable<string> entries;
        try { entries = Directory.EnumerateDirectories("/proc"); }
        catch (IOException) { yield break; }
        foreach (var entry in entries)
        {
            if (!int.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out int pid)) continue;
            string stat;
            try { stat = File.ReadAllText(Path.Combine(entry, "stat")); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; }
            // "pid (comm) state ppid …": comm may hold spaces and parentheses, so read from the last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length > 1 && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out int parent))
                yield return (pid, parent);
        }
    }

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
