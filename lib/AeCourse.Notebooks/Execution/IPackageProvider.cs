namespace AeCourse.Notebooks.Execution;

/// <summary>
/// Answers a cell's <c>#r "nuget: Name, Version"</c> with assemblies to compile against. The engine has no packages of
/// its own: the program hosting it plugs them in (the kit offers its library and TorchSharp, loading their natives first).
/// </summary>
public interface IPackageProvider
{
    /// <summary>The assembly paths of the package, its dependencies included; prepares anything they need to load.</summary>
    /// <exception cref="ArgumentException">Not a package this provider has, or another version; the message names what it has.</exception>
    IReadOnlyList<string> Resolve(string name, string? version);
}

/// <summary>The engine on its own: no package can be referenced.</summary>
public sealed class NoPackages : IPackageProvider
{
    /// <summary>The one instance.</summary>
    public static NoPackages Instance { get; } = new();

    NoPackages() { }

    /// <inheritdoc />
    public IReadOnlyList<string> Resolve(string name, string? version) =>
        throw new ArgumentException($"package '{name}' cannot be loaded: this engine was started without a package provider (run notebooks with the aecourse command)");
}
