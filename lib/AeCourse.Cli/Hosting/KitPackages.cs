using System.Reflection;
using AeCourse.Notebooks.Execution;

namespace AeCourse.Cli.Hosting;

/// <summary>
/// The NuGet packages a notebook may ask for with <c>#r "nuget: Name, Version"</c>: exactly those the kit itself is
/// built with, answered by the assemblies already beside the command (no download, no second version in the process).
/// TorchSharp's natives are loaded before a cell can touch it.
/// </summary>
public sealed class KitPackages : IPackageProvider
{
    /// <summary>The one instance.</summary>
    public static KitPackages Instance { get; } = new();

    KitPackages() { }

    // Package → the assemblies a notebook compiles against, its dependencies included as NuGet would bring them.
    // Versions come from the build (Directory.Packages.props).
    static readonly Dictionary<string, string[]> Assemblies = new(StringComparer.OrdinalIgnoreCase)
    {
        ["AeCourse"] = ["AeCourse.dll", "TorchSharp.dll", "SkiaSharp.dll"],
        ["TorchSharp"] = ["TorchSharp.dll"],
        ["TorchSharp-cpu"] = ["TorchSharp.dll"],
        ["TorchSharp-cuda-linux"] = ["TorchSharp.dll"],
        ["SkiaSharp"] = ["SkiaSharp.dll"],
        // Not Plotly.NET: in the real kernel, which loads its own FSharp.Core 10.0, Plotly.NET 6 (FSharp.Core 10.1) cannot load.
    };

    /// <summary>Version of each package the kit was built with, by name.</summary>
    public static IReadOnlyDictionary<string, string> Versions { get; } = ReadVersions();

    /// <inheritdoc />
    public IReadOnlyList<string> Resolve(string name, string? version)
    {
        if (!Assemblies.TryGetValue(name, out var files) || !Versions.TryGetValue(name, out var provided))
            throw new ArgumentException($"package '{name}' is not one the kit provides; available: {string.Join(", ", Versions.Keys.Where(Assemblies.ContainsKey).Order())}");
        if (version is not null && version != provided && !(version.EndsWith('*') && provided.StartsWith(version.TrimEnd('*'), StringComparison.Ordinal)))
            throw new ArgumentException($"package '{name}' version {version} was asked for; the kit provides {provided}");
        if (files.Contains("TorchSharp.dll"))
        {
            Runtime.NativeLoader.EnsureLoaded();   // before any cell can touch TorchSharp (see docs/runtime.md)
            // The kit's loops stop at their next step when the running cell is interrupted.
            Runtime.Interrupts.Connect(() => CellContext.Current?.Interrupt ?? CancellationToken.None);
        }
        return files.Select(f => Path.Combine(AppContext.BaseDirectory, f)).ToList();
    }

    static Dictionary<string, string> ReadVersions()
    {
        var versions = typeof(KitPackages).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Where(a => a.Key.StartsWith("package:", StringComparison.Ordinal) && a.Value is not null)
            .ToDictionary(a => a.Key["package:".Length..], a => a.Value!, StringComparer.OrdinalIgnoreCase);
        versions["AeCourse"] = typeof(Runtime.Setup).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";
        // TorchSharp-cpu and its CUDA twin carry the same TorchSharp.
        if (versions.TryGetValue("TorchSharp-cpu", out var torch)) versions["TorchSharp"] = torch;
        return versions;
    }
}
