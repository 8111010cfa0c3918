using System.IO.Compression;
using System.Reflection;
using System.Security.Cryptography;
using System.Xml.Linq;

namespace AeCourse.Runtime;

/// <summary>
/// Checks made when the kit starts inside Polyglot Notebooks' kernel (.NET Interactive), where two mistakes are easy
/// and silent: a kernel older than the one the lectures were checked against, and a kit package that NuGet took from
/// its cache although the package folder now holds another build of the same version (NuGet keeps the first package
/// of a version it sees, and the kernel also remembers its last resolution).
/// </summary>
public static class NotebookHost
{
    /// <summary>The release of the dotnet-interactive tool the lectures are run against in the kit's tests.</summary>
    public const string TestedKernel = "1.0.712001";

    /// <summary>The kernel's release (e.g. 1.0.712001) when running inside .NET Interactive, else null.</summary>
    public static string? KernelVersion() =>
        AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => a.GetName().Name == "Microsoft.DotNet.Interactive.App")?
            .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0];

    /// <summary>A warning when <paramref name="kernel"/> is older than <see cref="TestedKernel"/>, else null.</summary>
    public static string? KernelWarning(string? kernel)
    {
        if (kernel is null || !Version.TryParse(kernel, out var running) || running >= Version.Parse(TestedKernel)) return null;
        return $"This kernel is .NET Interactive {kernel}; the lectures are checked with {TestedKernel}. Older kernels fail on pictures and live " +
               $"progress. Update it: dotnet tool update -g Microsoft.dotnet-interactive --version {TestedKernel} (or update Polyglot Notebooks in VS Code), " +
               "then restart the kernel.";
    }

    /// <summary>
    /// Throws when the kit assembly this process runs is not the one in the package folder a nuget.config of
    /// <paramref name="folder"/> (the notebook's folder) names, as with a stale package in the NuGet cache; returns a
    /// warning when those folders hold no kit package at all (the cached copy cannot be checked). Does nothing outside
    /// a NuGet cache (a built program, the kit's own engine) or where no nuget.config names a local folder.
    /// </summary>
    /// <returns>A warning for the notebook's output, or null.</returns>
    /// <exception cref="InvalidOperationException">The loaded kit differs from the package; the message says what to run.</exception>
    public static string? EnsureFreshPackage(string folder)
    {
        var kit = typeof(NotebookHost).Assembly;
        var version = kit.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0];
        if (version is null || string.IsNullOrEmpty(kit.Location) || CachedPackageFolder(kit.Location, version) is not { } cached) return null;
        var sources = LocalSources(folder).ToList();
        foreach (var source in sources)
        {
            var package = Path.Combine(source, $"AeCourse.{version}.nupkg");
            if (!File.Exists(package)) continue;
            if (PackagedAssemblyHash(package, Path.GetFileName(kit.Location)) is { } packaged && packaged != FileHash(kit.Location))
                throw new InvalidOperationException(
                    $"This kernel runs AeCourse {version} from the NuGet cache ({cached}), which is not the package in {package} " +
                    $"(made {File.GetLastWriteTime(package):yyyy-MM-dd HH:mm}): NuGet keeps the first package of a version it sees. " +
                    $"Remove the cached copy and restart the kernel: rm -rf \"{cached}\"");
            return null;
        }
        return sources.Count == 0 ? null :
            $"No AeCourse {version} package in {string.Join(", ", sources)}, so this kernel runs the copy NuGet cached earlier ({cached}), " +
            "which may be older than the kit in this repository. From the repository's root run: dotnet pack lib/AeCourse -o artifacts/packages";
    }

    /// <summary>…/aecourse/0.1.0/lib/net10.0/AeCourse.dll in a NuGet cache → …/aecourse/0.1.0; else null.</summary>
    static string? CachedPackageFolder(string assemblyPath, string version)
    {
        var folder = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(assemblyPath)!, "..", ".."));
        return Path.GetFileName(folder) == version && File.Exists(Path.Combine(folder, $"aecourse.{version}.nupkg.sha512")) ? folder : null;
    }

    /// <summary>The local folder sources of every nuget.config from <paramref name="folder"/> up, as NuGet reads them.</summary>
    internal static IEnumerable<string> LocalSources(string folder)
    {
        for (var dir = new DirectoryInfo(Path.GetFullPath(folder)); dir is not null; dir = dir.Parent)
            foreach (var config in new[] { "nuget.config", "NuGet.Config", "NuGet.config" }.Select(n => Path.Combine(dir.FullName, n)).Distinct().Where(File.Exists))
            {
                XDocument xml;
                try { xml = XDocument.Load(config); }
                catch (System.Xml.XmlException) { continue; }   // NuGet reports a broken file itself
                foreach (var add in xml.Root?.Element("packageSources")?.Elements("add") ?? [])
                    if (add.Attribute("value")?.Value is { } value && !value.Contains("://", StringComparison.Ordinal))
                        yield return Path.GetFullPath(Path.Combine(dir.FullName, value));
            }
    }

    static string? PackagedAssemblyHash(string package, string fileName)
    {
        try
        {
            using var zip = ZipFile.OpenRead(package);
            var entry = zip.Entries.FirstOrDefault(e => e.FullName.StartsWith("lib/", StringComparison.Ordinal) && e.Name == fileName);
            if (entry is null) return null;
            using var stream = entry.Open();
            return Convert.ToHexString(SHA256.HashData(stream));
        }
        catch (InvalidDataException) { return null; }   // not a zip: NuGet would have refused it
    }

    static string FileHash(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(stream));
    }
}
