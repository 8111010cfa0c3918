using System.Reflection;
using TorchSharp;
using static TorchSharp.torch;

namespace AeCourse.Runtime;

/// <summary>What <see cref="Setup.Initialize"/> chose; <see cref="ToString"/> is the one-line report a notebook prints.</summary>
/// <param name="KitVersion">Version of the AeCourse library.</param>
/// <param name="TorchSharpVersion">NuGet version of TorchSharp, e.g. 0.107.0.</param>
/// <param name="LibTorchVersion">Version of libtorch under it, e.g. 2.10.0.</param>
/// <param name="Backend">cpu or cuda: which libtorch build is loaded.</param>
/// <param name="Device">Where tensors go: cuda when a GPU is usable, else cpu.</param>
/// <param name="DeviceName">A readable name of the device (GPU model, or CPU with its thread count).</param>
/// <param name="Threads">Intra-op threads libtorch uses on the CPU.</param>
/// <param name="Seed">Seed given to every random generator.</param>
/// <param name="Native">The native-library findings (libstdc++ level, compatibility copy).</param>
public sealed record RuntimeInfo(
    string KitVersion,
    string TorchSharpVersion,
    string LibTorchVersion,
    string Backend,
    Device Device,
    string DeviceName,
    int Threads,
    long Seed,
    NativeStatus Native)
{
    /// <inheritdoc />
    public override string ToString()
    {
        var compat = Native.CompatActive ? $" | {Native.HighestGlibcxx}: compatibility copy of libLibTorchSharp.so" : "";
        return $"AeCourse {KitVersion} | TorchSharp {TorchSharpVersion} (libtorch {LibTorchVersion}, {Backend}) | device {Device.type.ToString().ToLowerInvariant()}: {DeviceName} | seed {Seed}{compat}";
    }
}

/// <summary>
/// The one entry point every notebook and program calls first: loads TorchSharp's native backend (working around old
/// C++ runtimes), picks the device (CUDA if available, else CPU), seeds every generator and reports in one line.
/// </summary>
public static class Setup
{
    static readonly Lock Gate = new();

    // No static field may touch TorchSharp: its type initializer loads the natives before Initialize can prepare them.

    /// <summary>The device <see cref="Initialize"/> chose. Asked for before any set-up, it runs Initialize quietly (seed 0).</summary>
    public static Device Device => (Info ?? Initialize(quiet: true)).Device;

    /// <summary>A .NET random generator seeded by <see cref="Initialize"/>, for the kit's own sampling.</summary>
    public static Random Random { get; private set; } = new(0);

    /// <summary>The TorchSharp backend this library was built against: cpu, or cuda (build property AeCourseBackend).</summary>
    public static string Backend { get; } =
        typeof(Setup).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "AeCourseBackend")?.Value ?? "cpu";

    /// <summary>The last report, or null before the first call.</summary>
    public static RuntimeInfo? Info { get; private set; }

    /// <summary>
    /// Loads the backend once, then (on every call) picks the device and seeds all generators with <paramref name="seed"/>,
    /// so re-running a notebook's first cell restarts every random stream. Prints the report unless <paramref name="quiet"/>.
    /// </summary>
    /// <param name="seed">Seed for libtorch (CPU and CUDA) and <see cref="Random"/>.</param>
    /// <param name="device">"cpu", "cuda", or null for CUDA when available, else CPU.</param>
    /// <param name="quiet">Suppress the one-line report on standard output.</param>
    /// <exception cref="ArgumentException"><paramref name="device"/> is neither cpu nor cuda, or cuda was asked for and none is usable.</exception>
    public static RuntimeInfo Initialize(long seed = 0, string? device = null, bool quiet = false)
    {
        lock (Gate)
        {
            if (Info is null) CheckHost();
            var native = NativeLoader.EnsureLoaded();
            NativeHeap.Watch();
            bool cudaAvailable = cuda.is_available();
            var chosen = device?.Trim().ToLowerInvariant() switch
            {
                null or "" => cudaAvailable ? CUDA : CPU,
                "cpu" => CPU,
                "cuda" when cudaAvailable => CUDA,
                "cuda" => throw new ArgumentException("device 'cuda' was asked for, but no CUDA device is usable: this build uses the CPU backend " +
                                                      "(build with -p:AeCourseBackend=cuda in the GPU devcontainer) or the GPU driver is missing.", nameof(device)),
                _ => throw new ArgumentException($"device '{device}' is not known: use cpu, cuda, or leave it out to choose automatically.", nameof(device)),
            };
            manual_seed(seed);
            if (cudaAvailable) cuda.manual_seed_all(seed);
            Random = new Random(unchecked((int)seed ^ (int)(seed >> 32)));

            Info = new RuntimeInfo(
                KitVersion: typeof(Setup).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "unknown",
                TorchSharpVersion: NativeLoader.TorchSharpVersion(),
                LibTorchVersion: string.Join(".", __version__.Split(".").Take(3)),
                Backend: Backend,
                Device: chosen,
                DeviceName: chosen.type == DeviceType.CUDA ? CudaDeviceName() : $"{get_num_threads()} threads",
                Threads: get_num_threads(),
                Seed: seed,
                Native: native);
            if (!quiet) Console.WriteLine(Info);
            return Info;
        }
    }

    /// <summary>In a notebook kernel: warns of an older kernel than the tested one and of a kit package it cannot check, and refuses a stale one.</summary>
    static void CheckHost()
    {
        if (NotebookHost.KernelWarning(NotebookHost.KernelVersion()) is { } warning) Console.Error.WriteLine(warning);
        if (NotebookHost.EnsureFreshPackage(Environment.CurrentDirectory) is { } unverified) Console.Error.WriteLine(unverified);
    }

    static string CudaDeviceName()
    {
        // TorchSharp 0.107 exposes no device-properties call; the driver's tool names the model.
        IReadOnlyList<GpuInfo>? gpus;
        try { gpus = NvidiaSmi.Query(); }
        catch (FormatException) { gpus = null; }
        return gpus is [var first, ..] ? first.Name : $"{cuda.device_count()} GPU(s)";
    }
}
