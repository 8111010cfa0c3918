using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;

namespace AeCourse.Runtime;

/// <summary>One GPU as the NVIDIA driver reports it.</summary>
/// <param name="Name">The model, e.g. <c>NVIDIA A100-SXM4-40GB</c>.</param>
/// <param name="Driver">The driver version.</param>
/// <param name="MemoryMiB">Its memory in MiB.</param>
public sealed record GpuInfo(string Name, string Driver, long MemoryMiB)
{
    /// <inheritdoc />
    public override string ToString() => $"{Name} ({MemoryMiB / 1024.0:0.#} GiB, driver {Driver})";
}

/// <summary>
/// What <c>nvidia-smi</c> (installed with the NVIDIA driver, and mounted into a container started with GPU access)
/// says of the GPUs. TorchSharp 0.107 has no device-properties call, and with the CPU backend it cannot see a GPU at
/// all: the driver's own tool tells a GPU that is there but unused from one that is not there.
/// </summary>
public static class NvidiaSmi
{
    /// <summary>The query's arguments: one CSV line per GPU.</summary>
    public const string Arguments = "--query-gpu=name,driver_version,memory.total --format=csv,noheader,nounits";

    /// <summary>The GPUs the driver lists; null when <c>nvidia-smi</c> is not installed or fails (no driver, no device passed in).</summary>
    public static IReadOnlyList<GpuInfo>? Query()
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo("nvidia-smi", Arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var output = p.StandardOutput.ReadToEndAsync();
            _ = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(10_000)) { p.Kill(); return null; }
            return p.ExitCode == 0 ? Parse(output.Result) : null;
        }
        catch (Win32Exception) { return null; }   // not installed
    }

    /// <summary>Reads the output of <see cref="Arguments"/>: <c>name, driver, MiB</c> per line.</summary>
    /// <exception cref="FormatException">A line is not of that form; the message quotes it.</exception>
    public static IReadOnlyList<GpuInfo> Parse(string csv)
    {
        var gpus = new List<GpuInfo>();
        foreach (var line in csv.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0))
        {
            // A model name has no comma in NVIDIA's naming, but split from the right to be safe.
            int memoryComma = line.LastIndexOf(','), driverComma = memoryComma < 0 ? -1 : line.LastIndexOf(',', memoryComma - 1);
            if (driverComma < 0 || !long.TryParse(line[(memoryComma + 1)..].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long memory))
                throw new FormatException($"nvidia-smi printed '{line}', not 'name, driver, memory in MiB'");
            gpus.Add(new GpuInfo(line[..driverComma].Trim(), line[(driverComma + 1)..memoryComma].Trim(), memory));
        }
        return gpus;
    }
}
