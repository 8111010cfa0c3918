using System.Runtime.InteropServices;

namespace AeCourse.Runtime;

/// <summary>
/// Gives the memory libtorch has freed back to the operating system. On Linux, glibc's malloc keeps the freed blocks of
/// a training's per-step tensors in its heaps and returns them only from the top of a heap, so a process that frees
/// every tensor it makes still grows: a dense autoencoder trained on 5,000 images grew by about 1.7 MB a step, to 0.4 GB
/// after 3 epochs and 0.9 GB after 12, with no tensor alive (docs/benchmarks.md). <c>malloc_trim</c> hands the free pages
/// of every heap back. Elsewhere (macOS, Windows, a C library without it) <see cref="Trim"/> does nothing; so it does
/// where the environment variable <c>AECOURSE_HEAP_TRIM</c> is <c>off</c>, which is how docs/benchmarks.md measures
/// what trimming costs.
/// </summary>
public static class NativeHeap
{
    static bool _unavailable = !OperatingSystem.IsLinux()
        || string.Equals(Environment.GetEnvironmentVariable("AECOURSE_HEAP_TRIM"), "off", StringComparison.OrdinalIgnoreCase);

    [DllImport("libc", EntryPoint = "malloc_trim")]
    static extern int MallocTrim(nuint pad);

    /// <summary>
    /// Returns the free pages of the C heap to the system. Not free of cost: a dense autoencoder's full-set epoch,
    /// trimmed every 16 batches, ran 13% slower (docs/benchmarks.md), presumably because the steps after a trim fault
    /// the returned pages in again.
    /// </summary>
    public static void Trim()
    {
        if (_unavailable) return;
        try { MallocTrim(0); }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { _unavailable = true; }
    }
}
