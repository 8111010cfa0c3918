using System.Diagnostics;
using AeCourse.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace AeCourse.Runtime;

/// <summary>How a check came out.</summary>
public enum HealthLevel
{
    /// <summary>Fine.</summary>
    Ok,
    /// <summary>Works, but something is worth knowing (e.g. no GPU).</summary>
    Note,
    /// <summary>The kit cannot work until this is fixed.</summary>
    Blocking,
}

/// <summary>One check of <see cref="Doctor"/>.</summary>
/// <param name="Name">What was checked.</param>
/// <param name="Level">How it came out.</param>
/// <param name="Detail">What was found.</param>
/// <param name="Fix">What to do, for notes and blocking problems.</param>
public sealed record HealthCheck(string Name, HealthLevel Level, string Detail, string? Fix = null)
{
    /// <inheritdoc />
    public override string ToString()
    {
        var mark = Level switch { HealthLevel.Ok => "ok  ", HealthLevel.Note => "note", _ => "FAIL" };
        return Fix is null ? $"[{mark}] {Name}: {Detail}" : $"[{mark}] {Name}: {Detail}\n       fix: {Fix}";
    }
}

/// <summary>Checks that the kit can run here: .NET, the native backend, the device, the data and the tools.</summary>
public static class Doctor
{
    /// <summary>Runs every check; <paramref name="store"/> null means <see cref="DataStore.Locate"/>.</summary>
    public static IReadOnlyList<HealthCheck> Run(DataStore? store = null)
    {
        var checks = new List<HealthCheck>
        {
            Dotnet(),
            LibStdCxxCheck(),
        };
        checks.AddRange(Backend());
        checks.AddRange(Data(store));
        checks.Add(Npm());
        checks.Add(Font());
        return checks;
    }

    static HealthCheck Font()
    {
        try
        {
            return Visualization.Fonts.Caption is { } typeface
                ? new HealthCheck("font", HealthLevel.Ok, $"{typeface.FamilyName} for captions in pictures")
                : new HealthCheck("font", HealthLevel.Note, "no TrueType font found: pictures are drawn without captions",
                            $"apt-get install fonts-dejavu-core, or set {Visualization.Fonts.FontVariable} to a .ttf file");
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            return new HealthCheck("font", HealthLevel.Note, e.Message, $"point {Visualization.Fonts.FontVariable} at a .ttf file or unset it");
        }
    }

    static HealthCheck Dotnet()
    {
        var v = Environment.Version;
        return v.Major >= 10
            ? new HealthCheck(".NET", HealthLevel.Ok, $"{v} on {System.Runtime.InteropServices.RuntimeInformation.OSDescription} ({System.Runtime.InteropServices.RuntimeInformation.OSArchitecture})")
            : new HealthCheck(".NET", HealthLevel.Blocking, $"runtime {v}", "install the .NET 10 SDK (https://dot.net)");
    }

    static HealthCheck LibStdCxxCheck()
    {
        if (!OperatingSystem.IsLinux()) return new HealthCheck("libstdc++", HealthLevel.Ok, "not needed on this operating system");
        var status = NativeLoader.Inspect();
        if (status.LibStdCxxPath is null)
            return new HealthCheck("libstdc++", HealthLevel.Blocking, "libstdc++.so.6 not found", "install the C++ runtime (Debian/Ubuntu: apt-get install libstdc++6)");
        var mode = Environment.GetEnvironmentVariable("AECOURSE_NATIVE_COMPAT") ?? "auto";
        var detail = $"{status.LibStdCxxPath}, newest {status.HighestGlibcxx}";
        return status.MissingVersions.Count == 0
            ? new HealthCheck("libstdc++", HealthLevel.Ok, $"{detail}; TorchSharp's glue library loads as shipped (compatibility path not needed)")
            : new HealthCheck("libstdc++", HealthLevel.Ok, $"{detail}; lacks {string.Join(", ", status.MissingVersions)}: compatibility path {(mode == "off" ? "DISABLED by AECOURSE_NATIVE_COMPAT=off" : "active (weak-versioned copy of libLibTorchSharp.so)")}");
    }

    static IEnumerable<HealthCheck> Backend()
    {
        RuntimeInfo info;
        try
        {
            info = Setup.Initialize(quiet: true);
        }
        catch (Exception e)
        {
            return [new HealthCheck("TorchSharp", HealthLevel.Blocking, $"the native backend did not load: {Innermost(e).Message}",
                "run `dotnet build` again (the natives come with the TorchSharp-cpu package); on Linux leave AECOURSE_NATIVE_COMPAT unset")];
        }
        var checks = new List<HealthCheck>
        {
            new("TorchSharp", HealthLevel.Ok, $"{info.TorchSharpVersion}, libtorch {info.LibTorchVersion}, backend {info.Backend}" +
                (info.Native.CompatActive ? $", compatibility copy {info.Native.CompatCopy}" : "")),
        };
        IReadOnlyList<GpuInfo>? visible;
        try { visible = NvidiaSmi.Query(); }
        catch (FormatException e) { visible = null; checks.Add(new HealthCheck("nvidia-smi", HealthLevel.Note, e.Message)); }
        checks.Add(Device(info.Backend, info.Device.type == DeviceType.CUDA ? cuda.device_count() : 0, visible, info.Threads));
        checks.Add(Smoke(info.Device));
        return checks;
    }

    /// <summary>
    /// The device check from what libtorch and the driver say: <paramref name="backend"/> is the build's (cpu or cuda),
    /// <paramref name="cudaDevices"/> the GPUs libtorch can use, <paramref name="visible"/> what <c>nvidia-smi</c> lists
    /// (null: no driver tool here). A GPU that the driver shows and libtorch does not use is said plainly, with the fix:
    /// rebuild with the CUDA backend, or mend the driver for the CUDA build.
    /// </summary>
    internal static HealthCheck Device(string backend, int cudaDevices, IReadOnlyList<GpuInfo>? visible, int threads)
    {
        string gpus = visible is null or [] ? "" : string.Join("; ", visible);
        if (cudaDevices > 0)
            return new HealthCheck("device", HealthLevel.Ok, visible is null or []
                ? $"CUDA: {cudaDevices} GPU(s)" : $"CUDA: {gpus}" + (cudaDevices < visible.Count ? $" ({cudaDevices} of them usable)" : ""));
        string cpu = $"CPU ({threads} threads)";
        if (backend == "cuda")
            return visible is null or []
                ? new HealthCheck("device", HealthLevel.Note, $"{cpu}: the CUDA backend is built but no GPU is visible (no nvidia-smi)",
                                  "on a GPU host, install the NVIDIA driver and the NVIDIA Container Toolkit and start the container with --gpus all (the devcontainer asks for it)")
                : new HealthCheck("device", HealthLevel.Note, $"{cpu}: the driver lists {gpus}, but libtorch's CUDA cannot use it",
                                  "update the NVIDIA driver to one that supports the CUDA version TorchSharp-cuda-linux ships, then run the doctor again");
        return visible is null or []
            ? new HealthCheck("device", HealthLevel.Note, $"{cpu}; CUDA not built (CPU backend)",
                              "fine for the quick settings; for full runs use the GPU devcontainer (dotnet build -p:AeCourseBackend=cuda)")
            : new HealthCheck("device", HealthLevel.Note, $"{cpu}: the driver lists {gpus}, but this build has the CPU backend",
                              "rebuild with -p:AeCourseBackend=cuda (the devcontainer's post-create script does so when it sees a GPU)");
    }

    /// <summary>One real gradient step on the device: d/dw of sum((w·x)²) at w = 1, x = [1, 2, 3] is 2·6·x = [12, 24, 36].</summary>
    static HealthCheck Smoke(Device device)
    {
        try
        {
            using var scope = NewDisposeScope();
            var w = ones(3, device: device, requires_grad: true);
            var x = tensor(new float[] { 1, 2, 3 }, device: device);
            w.mul(x).sum().pow(2).backward();
            var grad = w.grad!.cpu().data<float>().ToArray();
            return grad.SequenceEqual([12f, 24f, 36f])
                ? new HealthCheck("autograd", HealthLevel.Ok, "a gradient step computes the right numbers")
                : new HealthCheck("autograd", HealthLevel.Blocking, $"expected gradient [12, 24, 36], got [{string.Join(", ", grad)}]", "report this with the output of `aecourse doctor`");
        }
        catch (Exception e)
        {
            return new HealthCheck("autograd", HealthLevel.Blocking, Innermost(e).Message, "report this with the output of `aecourse doctor`");
        }
    }

    static IEnumerable<HealthCheck> Data(DataStore? store)
    {
        try { store ??= DataStore.Locate(); }
        catch (DirectoryNotFoundException e)
        {
            return [new HealthCheck("data", HealthLevel.Blocking, e.Message, $"run from the course repository or set {DataStore.RootVariable}")];
        }
        var problems = store.Verify();
        var checks = new List<HealthCheck>
        {
            problems.Count == 0
                ? new HealthCheck("data", HealthLevel.Ok, $"{store.Root}: every file matches its manifest")
                : new HealthCheck("data", HealthLevel.Blocking, $"{store.Root}: {problems.Count} problem(s): {string.Join("; ", problems.Take(3))}",
                    "restore the embedded files with `git checkout -- data/embedded`; refetch full sets with `aecourse data fetch NAME`"),
        };
        foreach (var dataset in DatasetCatalog.All)
        {
            bool full = store.Has(dataset.Name, DatasetVariant.Full), embedded = store.Has(dataset.Name, DatasetVariant.Embedded);
            checks.Add(full || embedded
                ? new HealthCheck(dataset.Name, HealthLevel.Ok, full ? "full set fetched" : "embedded subset (run `aecourse data fetch " + dataset.Name + "` for the full set)")
                : new HealthCheck(dataset.Name, HealthLevel.Note, "not on disk", $"aecourse data fetch {dataset.Name}"));
        }
        return checks;
    }

    static HealthCheck Npm()
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo("npm", "--version") { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var version = p.StandardOutput.ReadToEnd().Trim();
            p.WaitForExit();
            return new HealthCheck("npm", HealthLevel.Ok, $"{version} (offline fallback of `aecourse data fetch`)");
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return new HealthCheck("npm", HealthLevel.Note, "not installed: `aecourse data fetch` can only use the official download locations", "install Node.js (apt-get install npm)");
        }
    }

    static Exception Innermost(Exception e) => e.InnerException is null ? e : Innermost(e.InnerException);
}
