using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace AeCourse.Runtime;

/// <summary>What <see cref="NativeLoader"/> found and did, for reports and <c>aecourse doctor</c>.</summary>
/// <param name="LibStdCxxPath">The C++ runtime this process binds to (null off Linux).</param>
/// <param name="HighestGlibcxx">Its newest GLIBCXX version, e.g. GLIBCXX_3.4.30.</param>
/// <param name="GluePath">TorchSharp's libLibTorchSharp.so as shipped (null if not found).</param>
/// <param name="LibTorchFolder">The folder libtorch_cpu.so is loaded from (null if not found).</param>
/// <param name="MissingVersions">GLIBCXX versions the glue asks for that the C++ runtime lacks.</param>
/// <param name="CompatCopy">The weak-versioned copy loaded instead of <paramref name="GluePath"/>; null when none was needed.</param>
public sealed record NativeStatus(
    string? LibStdCxxPath,
    string? HighestGlibcxx,
    string? GluePath,
    string? LibTorchFolder,
    IReadOnlyList<string> MissingVersions,
    string? CompatCopy)
{
    /// <summary>Whether the compatibility copy of the glue library is in use.</summary>
    public bool CompatActive => CompatCopy is not null;
}

/// <summary>
/// Loads TorchSharp's native libraries so that they work on GCC-12 systems too (see <see cref="GlibcxxCompat"/>).
/// </summary>
/// <remarks>
/// Where the system's libstdc++ lacks a version the glue library asks for, a kit-owned folder under the user's cache
/// gets a patched copy of libLibTorchSharp.so plus symbolic links to the very libtorch files TorchSharp itself would
/// load, and the patched copy is loaded first. TorchSharp's own lookups then resolve to the library already in the
/// process (same SONAME, same inodes for libtorch), so libtorch is never loaded twice — two copies abort the process.
/// This works alike for a built program (natives beside it) and for scripts and notebooks that pull TorchSharp from
/// the NuGet cache with <c>#r "nuget: …"</c>. Set AECOURSE_NATIVE_COMPAT=off to disable it, =on to force it.
/// </remarks>
public static class NativeLoader
{
    const string GlueFile = "libLibTorchSharp.so";
    const string LibTorchMarker = "libtorch_cpu.so";

    static readonly Lock Gate = new();
    static NativeStatus? _loaded;

    /// <summary>
    /// Prepares and loads the native libraries if the system needs the compatibility path; cheap when it does not.
    /// Idempotent: later calls return the first call's findings.
    /// </summary>
    public static NativeStatus EnsureLoaded()
    {
        lock (Gate)
        {
            if (_loaded is not null) return _loaded;
            var status = Load();
            // Not found yet (a script whose TorchSharp is not loaded so far): decide again on the next call.
            if (status.GluePath is not null || !OperatingSystem.IsLinux()) _loaded = status;
            return status;
        }
    }

    static NativeStatus Load()
    {
        OpenMpPolicy.Apply();   // before libgomp loads with libtorch
        var status = Inspect();
        if (status.MissingVersions.Count == 0 && Mode() != "on") return status;
        if (Mode() == "off") return status;
        if (status.GluePath is null || status.LibTorchFolder is null)
            throw new DllNotFoundException(
                $"TorchSharp's native libraries were not found ({GlueFile}: {status.GluePath ?? "missing"}; {LibTorchMarker}: {status.LibTorchFolder ?? "missing"}). " +
                "Reference the TorchSharp-cpu package (or build with -p:AeCourseBackend=cuda) and restore.");
        if (IsMapped(GlueFile))
            throw new InvalidOperationException(
                "TorchSharp was loaded before AeCourse.Runtime.Setup.Initialize() could make it compatible with this system's libstdc++ " +
                $"({status.HighestGlibcxx}). Restart the program or notebook kernel and call Setup.Initialize() before any other TorchSharp call.");
        var copy = PrepareCompatFolder(status);
        NativeLibrary.Load(copy);
        return status with { CompatCopy = copy };
    }

    /// <summary>Finds the libraries and checks their version needs without loading anything.</summary>
    public static NativeStatus Inspect()
    {
        var stdPath = LibStdCxx.LocatePath();
        var available = stdPath is null ? new HashSet<string>() : LibStdCxx.Versions(stdPath);
        var glue = FindGlue();
        var missing = OperatingSystem.IsLinux() && glue is not null && stdPath is not null
            ? GlibcxxCompat.MissingVersions(ElfImage.Read(glue), available).Select(n => n.Name).ToList()
            : [];
        return new NativeStatus(stdPath, LibStdCxx.HighestGlibcxx(available), glue, FindLibTorchFolder(glue), missing, null);
    }

    static string Mode() => Environment.GetEnvironmentVariable("AECOURSE_NATIVE_COMPAT")?.Trim().ToLowerInvariant() switch
    {
        "off" or "0" or "false" => "off",
        "on" or "1" or "true" => "on",
        _ => "auto",
    };

    /// <summary>Folders .NET probes for native libraries of this app (from its deps.json), then TorchSharp's own folders.</summary>
    static IEnumerable<string> ProbeFolders()
    {
        if (AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") is string dirs)
            foreach (var dir in dirs.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
                yield return dir;
        var torchSharpDir = TorchSharpAssemblyFolder();
        if (torchSharpDir is not null)
        {
            yield return torchSharpDir;
            yield return Path.Combine(torchSharpDir, "runtimes", "linux-x64", "native");
        }
    }

    /// <summary>
    /// TorchSharp's assembly, bound as this library's own dependency (so a script host resolves it as it resolves any
    /// reference of the kit). typeof does not run the type's static constructor, which would load the natives.
    /// </summary>
    static Assembly TorchSharpAssembly => typeof(TorchSharp.torch).Assembly;

    static string? TorchSharpAssemblyFolder() =>
        string.IsNullOrEmpty(TorchSharpAssembly.Location) ? null : Path.GetDirectoryName(TorchSharpAssembly.Location);

    /// <summary>A package folder in the NuGet cache: …/torchsharp/0.107.0/lib/net8.0/TorchSharp.dll → …/ (the cache root).</summary>
    static string? NuGetCacheRoot()
    {
        var dir = TorchSharpAssemblyFolder();
        var root = dir is null ? null : Path.GetFullPath(Path.Combine(dir, "..", "..", "..", ".."));
        return root is not null && Directory.Exists(Path.Combine(root, "torchsharp")) ? root : null;
    }

    static string? FindGlue()
    {
        foreach (var dir in ProbeFolders())
            if (File.Exists(Path.Combine(dir, GlueFile))) return Path.GetFullPath(Path.Combine(dir, GlueFile));
        var root = NuGetCacheRoot();
        var version = TorchSharpVersion();
        var packaged = root is null ? null : Path.Combine(root, "torchsharp", version, "runtimes", "linux-x64", "native", GlueFile);
        return packaged is not null && File.Exists(packaged) ? packaged : null;
    }

    static string? FindLibTorchFolder(string? glue)
    {
        // Prefer where .NET itself would load libtorch from: loading it from anywhere else would make a second copy.
        foreach (var dir in ProbeFolders().Prepend(glue is null ? "" : Path.GetDirectoryName(glue)!))
            if (dir.Length > 0 && File.Exists(Path.Combine(dir, LibTorchMarker))) return Path.GetFullPath(dir);
        var root = NuGetCacheRoot();
        if (root is null) return null;
        // Scripts and notebooks: the libtorch package TorchSharp's loader itself would consolidate from.
        return Directory.EnumerateDirectories(root, "libtorch-*-linux-x64")
            .SelectMany(package => Directory.EnumerateDirectories(package))
            .Select(version => Path.Combine(version, "runtimes", "linux-x64", "native"))
            .Where(native => File.Exists(Path.Combine(native, LibTorchMarker)))
            .OrderByDescending(native => native.Contains("-cpu-", StringComparison.Ordinal) ? 0 : 1)
            .FirstOrDefault();
    }

    /// <summary>The NuGet version of the TorchSharp assembly, e.g. "0.107.0".</summary>
    public static string TorchSharpVersion()
    {
        var informational = TorchSharpAssembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        if (informational is not null) return informational.Split('+')[0];
        var v = TorchSharpAssembly.GetName().Version;
        return v is null ? "unknown" : $"{v.Major}.{v.Minor}.{v.Build}";
    }

    /// <summary>Creates (once) the kit-owned folder with the patched glue and links to libtorch; returns the glue copy's path.</summary>
    static string PrepareCompatFolder(NativeStatus status)
    {
        var glue = status.GluePath!;
        var libtorch = status.LibTorchFolder!;
        var info = new FileInfo(glue);
        var key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{glue}|{info.Length}|{info.LastWriteTimeUtc.Ticks}|{libtorch}")))[..16].ToLowerInvariant();
        var parent = Path.Combine(CacheRoot(), "native");
        var folder = Path.Combine(parent, $"torchsharp-{TorchSharpVersion()}-{key}");
        Directory.CreateDirectory(folder);
        RemoveStaleFolders(parent, except: folder);
        foreach (var file in Directory.EnumerateFiles(libtorch))
        {
            var name = Path.GetFileName(file);
            if (name == GlueFile) continue;
            var link = Path.Combine(folder, name);
            if (new FileInfo(link).LinkTarget == file) continue;
            // A fresh link under a temporary name, renamed into place: concurrent processes never see a half-made folder.
            var temp = IO.AtomicFile.TemporaryPathBeside(link);
            File.CreateSymbolicLink(temp, file);
            File.Move(temp, link, overwrite: true);
        }
        var copy = Path.Combine(folder, GlueFile);
        var available = status.LibStdCxxPath is null ? new HashSet<string>() : LibStdCxx.Versions(status.LibStdCxxPath);
        if (!File.Exists(copy) || !GlibcxxCompat.IsLoadable(copy, available))
            GlibcxxCompat.WriteCompatibleCopy(glue, copy, status.MissingVersions.Count > 0 ? status.MissingVersions : ["GLIBCXX_3.4.32"]);
        return copy;
    }

    /// <summary>Folders made for builds that no longer exist (their links dangle) are removed, so the cache does not grow.</summary>
    static void RemoveStaleFolders(string parent, string except)
    {
        foreach (var dir in Directory.EnumerateDirectories(parent, "torchsharp-*"))
        {
            if (dir == except) continue;
            var link = new FileInfo(Path.Combine(dir, LibTorchMarker));
            if (link.LinkTarget is { } target && !File.Exists(target))
            {
                try { Directory.Delete(dir, recursive: true); }
                catch (IOException) { }
                catch (UnauthorizedAccessException) { }
            }
        }
    }

    /// <summary>The kit's per-user cache: $AECOURSE_CACHE, else $XDG_CACHE_HOME/aecourse, else ~/.cache/aecourse.</summary>
    public static string CacheRoot()
    {
        var explicitRoot = Environment.GetEnvironmentVariable("AECOURSE_CACHE");
        if (!string.IsNullOrWhiteSpace(explicitRoot)) return explicitRoot;
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var baseDir = !string.IsNullOrWhiteSpace(xdg) ? xdg : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(baseDir, "aecourse");
    }

    /// <summary>Whether a library of that file name is mapped into this process.</summary>
    static bool IsMapped(string fileName)
    {
        if (!OperatingSystem.IsLinux()) return false;
        return File.ReadLines("/proc/self/maps").Any(l => l.EndsWith("/" + fileName, StringComparison.Ordinal));
    }
}
