using System.Text.Json;
using System.Text.Json.Nodes;

namespace AeCourse.Notebooks.Jupyter;

/// <summary>A kernelspec found in one of Jupyter's kernel folders.</summary>
/// <param name="Name">Its folder name, which notebooks name in metadata.kernelspec.name.</param>
/// <param name="Folder">Where it is.</param>
/// <param name="DisplayName">What front ends show.</param>
/// <param name="IsKit">Whether the kit installed it (kernel.json carries metadata.aecourse).</param>
public sealed record InstalledKernelSpec(string Name, string Folder, string DisplayName, bool IsKit);

/// <summary>A kernelspec cannot be installed or removed; the message says which folder and why.</summary>
public sealed class KernelSpecException(string message) : Exception(message);

/// <summary>
/// Jupyter kernelspecs: the kit's kernel registered under the name its lectures carry, <c>.net-csharp</c>, so that every
/// Jupyter front end (Notebook, JupyterLab, nbconvert, VS Code's Jupyter extension) picks it for a lecture without being
/// asked, while Polyglot Notebooks — which claims any notebook whose kernelspec name starts with <c>.net-</c> and runs it
/// on its own kernel — opens the same file unchanged. The name is the one .NET Interactive's own Jupyter kernel installs:
/// a kernelspec of another kernel is replaced only when asked (<c>--force</c>). See docs/kernel.md.
/// </summary>
public static class KernelSpecs
{
    /// <summary>The kernelspec name of the lectures' metadata.</summary>
    public const string DefaultName = ".net-csharp";

    /// <summary>The display name Polyglot writes too, so that saving in either front end leaves the metadata as it was.</summary>
    public const string DisplayName = ".NET (C#)";

    /// <summary>The user's Jupyter data folder (jupyter_core's jupyter_data_dir): JUPYTER_DATA_DIR, else the platform's.</summary>
    public static string UserDataDirectory()
    {
        if (Environment.GetEnvironmentVariable("JUPYTER_DATA_DIR") is { Length: > 0 } data) return data;
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (OperatingSystem.IsMacOS()) return Path.Combine(home, "Library", "Jupyter");
        if (OperatingSystem.IsWindows()) return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData), "jupyter");
        var xdg = Environment.GetEnvironmentVariable("XDG_DATA_HOME") is { Length: > 0 } x ? x : Path.Combine(home, ".local", "share");
        return Path.Combine(xdg, "jupyter");
    }

    /// <summary>The kernel folders Jupyter searches, in its order: JUPYTER_PATH, the user's, the environment's (when known), the system's.</summary>
    /// <param name="sysPrefix">The Python environment's sys.prefix, or null when not known.</param>
    public static IReadOnlyList<string> SearchPath(string? sysPrefix)
    {
        var data = new List<string>();
        if (Environment.GetEnvironmentVariable("JUPYTER_PATH") is { Length: > 0 } path)
            data.AddRange(path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Select(p => p.TrimEnd(Path.DirectorySeparatorChar)));
        data.Add(UserDataDirectory());
        if (sysPrefix is not null) data.Add(Path.Combine(sysPrefix, "share", "jupyter"));
        if (!OperatingSystem.IsWindows()) data.AddRange(["/usr/local/share/jupyter", "/usr/share/jupyter"]);
        return data.Distinct().Select(d => Path.Combine(d, "kernels")).ToList();
    }

    /// <summary>
    /// Writes the kernelspec (kernel.json and logos) as <paramref name="kernelsFolder"/>/<paramref name="name"/>: all of it
    /// or nothing, replacing an earlier one of the kit's.
    /// </summary>
    /// <param name="kernelsFolder">A Jupyter kernels folder (…/share/jupyter/kernels).</param>
    /// <param name="name">The kernelspec name.</param>
    /// <param name="command">How to start the kit's command (e.g. ["dotnet", "/path/AeCourse.Cli.dll"]); "kernel -f {connection_file}" follows.</param>
    /// <param name="version">The kit's version, recorded in the kernelspec's metadata.</param>
    /// <param name="logos">File name (logo-32x32.png, logo-64x64.png, logo-svg.svg) → content.</param>
    /// <param name="force">Replace a kernelspec of another kernel with this name.</param>
    /// <returns>The folder written.</returns>
    /// <exception cref="KernelSpecException">Another kernel's spec is there and <paramref name="force"/> is not set, or the folder cannot be written.</exception>
    public static string Install(string kernelsFolder, string name, IReadOnlyList<string> command, string version,
                                 IReadOnlyDictionary<string, byte[]> logos, bool force)
    {
        var target = Path.Combine(Path.GetFullPath(kernelsFolder), name);
        if (Read(target) is { IsKit: false } other && !force)
            throw new KernelSpecException($"{target} holds the kernelspec of another kernel (\"{other.DisplayName}\"); " +
                                          "add --force to replace it with the kit's, or --name to install the kit's under another name");
        var spec = new JsonObject
        {
            ["argv"] = new JsonArray([.. command.Concat(["kernel", "-f", "{connection_file}"]).Select(a => (JsonNode)JsonValue.Create(a)!)]),
            ["display_name"] = DisplayName,
            ["language"] = "C#",
            // Interrupts come as interrupt_request on the control channel: portable, and the kernel stops the cell, not itself.
            ["interrupt_mode"] = "message",
            ["env"] = new JsonObject(),
            ["metadata"] = new JsonObject { ["aecourse"] = new JsonObject { ["version"] = version } },
        };
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            var staging = Directory.CreateDirectory(Path.Combine(Path.GetDirectoryName(target)!, $".{name}.installing-{Guid.NewGuid():N}")).FullName;
            File.WriteAllText(Path.Combine(staging, "kernel.json"), spec.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
            foreach (var (file, content) in logos) File.WriteAllBytes(Path.Combine(staging, file), content);
            Swap(staging, target);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KernelSpecException($"cannot write the kernelspec to {target}: {e.Message}");
        }
        return target;
    }

    /// <summary>The kernelspecs in <paramref name="kernelsFolders"/>; the first of each name wins, as in Jupyter.</summary>
    public static IReadOnlyList<InstalledKernelSpec> List(IEnumerable<string> kernelsFolders)
    {
        var found = new Dictionary<string, InstalledKernelSpec>(StringComparer.OrdinalIgnoreCase);
        foreach (var folder in kernelsFolders.Where(Directory.Exists))
            foreach (var spec in Directory.EnumerateDirectories(folder).Order(StringComparer.Ordinal).Select(Read).OfType<InstalledKernelSpec>())
                found.TryAdd(spec.Name, spec);
        return [.. found.Values.OrderBy(s => s.Name, StringComparer.Ordinal)];
    }

    /// <summary>Removes the kernelspec <paramref name="name"/> from <paramref name="kernelsFolder"/>; false when there is none.</summary>
    /// <exception cref="KernelSpecException">It is another kernel's and <paramref name="force"/> is not set.</exception>
    public static bool Remove(string kernelsFolder, string name, bool force)
    {
        var target = Path.Combine(Path.GetFullPath(kernelsFolder), name);
        if (Read(target) is not { } spec) return false;
        if (!spec.IsKit && !force)
            throw new KernelSpecException($"{target} is the kernelspec of another kernel (\"{spec.DisplayName}\"), not the kit's; add --force to remove it anyway");
        Directory.Delete(target, recursive: true);
        return true;
    }

    /// <summary>The kernelspec in <paramref name="folder"/>, or null when it has no readable kernel.json.</summary>
    static InstalledKernelSpec? Read(string folder)
    {
        var file = Path.Combine(folder, "kernel.json");
        if (!File.Exists(file)) return null;
        try
        {
            var json = JsonNode.Parse(File.ReadAllText(file)) as JsonObject;
            return new InstalledKernelSpec(Path.GetFileName(folder), folder, json?["display_name"]?.GetValue<string>() ?? "",
                                           json?["metadata"]?["aecourse"] is not null);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or IOException)
        {
            return new InstalledKernelSpec(Path.GetFileName(folder), folder, $"(unreadable kernel.json: {e.Message})", IsKit: false);
        }
    }

    /// <summary>Puts the staged folder in the target's place; the old one is removed only once the new one is there.</summary>
    static void Swap(string staging, string target)
    {
        string? old = null;
        if (Directory.Exists(target))
        {
            old = staging + ".old";
            Directory.Move(target, old);
        }
        try
        {
            Directory.Move(staging, target);
        }
        catch
        {
            if (old is not null) Directory.Move(old, target);
            Directory.Delete(staging, recursive: true);
            throw;
        }
        if (old is not null) Directory.Delete(old, recursive: true);
    }
}
