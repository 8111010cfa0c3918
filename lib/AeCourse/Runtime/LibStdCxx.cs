namespace AeCourse.Runtime;

/// <summary>Which GNU C++ runtime (libstdc++.so.6) this process uses, and which symbol versions it provides.</summary>
public static class LibStdCxx
{
    static readonly string[] WellKnownPaths =
    [
        "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
        "/lib/x86_64-linux-gnu/libstdc++.so.6",
        "/usr/lib64/libstdc++.so.6",
        "/usr/lib/libstdc++.so.6",
    ];

    /// <summary>
    /// The libstdc++ the dynamic loader will bind to: the copy already mapped into this process
    /// (the .NET runtime links it), else the first of the usual system paths; null when none is found (e.g. not Linux).
    /// </summary>
    public static string? LocatePath()
    {
        if (!OperatingSystem.IsLinux()) return null;
        try
        {
            foreach (var line in File.ReadLines("/proc/self/maps"))
            {
                int slash = line.IndexOf('/');
                var mapped = slash >= 0 ? line[slash..].Trim() : "";
                if (Path.GetFileName(mapped).StartsWith("libstdc++.so.6", StringComparison.Ordinal))
                    return mapped;
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return WellKnownPaths.FirstOrDefault(File.Exists);
    }

    /// <summary>Version names a libstdc++ file defines (GLIBCXX_3.4 … and CXXABI_1.3 …).</summary>
    public static IReadOnlySet<string> Versions(string path) => ElfImage.Read(path).VersionDefinitions().ToHashSet();

    /// <summary>The highest GLIBCXX_3.4.N of a set of version names, e.g. "GLIBCXX_3.4.30" for GCC 12; null if none.</summary>
    public static string? HighestGlibcxx(IEnumerable<string> versions) =>
        versions.Where(v => v.StartsWith("GLIBCXX_", StringComparison.Ordinal))
                .Select(v => (Name: v, Version: Version.TryParse(v["GLIBCXX_".Length..], out var parsed) ? parsed : null))
                .Where(v => v.Version is not null)
                .MaxBy(v => v.Version)
                .Name;
}
