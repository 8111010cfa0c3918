using System.Runtime.InteropServices;

namespace AeCourse.Runtime;

/// <summary>
/// Keeps libtorch's C heap from growing without bound. TorchSharp frees some of its small native objects only in their
/// .NET finalizers: among them the scalar made of every number in a tensor expression (<c>x * 0.9</c>, Adam's β's in
/// <c>optimizer.step()</c>). A training loop makes few .NET objects, so the garbage collector, which sees none of
/// libtorch's memory, runs once in thousands of steps, and those small blocks stay, scattered between the large blocks
/// each step's tensors free. glibc cannot merge a freed block with its neighbours past them, so each step takes new
/// memory: a dense autoencoder's full-set training by the <c>Trainer</c> grew by about 0.8 GB an epoch, to 3.0 GB after
/// 3 epochs, while glibc's memory in use stayed at 61–67 MB; with the collector run every 16 steps it stayed at 0.41 GB
/// (docs/benchmarks.md). <see cref="Collect"/> runs it; <see cref="Trim"/> also hands free pages back to the system;
/// <see cref="Watch"/> trims whenever the process has grown, for tensors that code outside the kit drops undisposed.
/// Where the environment variable <c>AECOURSE_NATIVE_RECLAIM</c> is <c>off</c> all three do nothing, which is how
/// docs/benchmarks.md measures what they save and cost.
/// </summary>
public static class NativeHeap
{
    static readonly bool Off =
        string.Equals(Environment.GetEnvironmentVariable("AECOURSE_NATIVE_RECLAIM"), "off", StringComparison.OrdinalIgnoreCase);

    static bool _noTrim = Off || !OperatingSystem.IsLinux();

    [DllImport("libc", EntryPoint = "malloc_trim")]
    static extern int MallocTrim(nuint pad);

    /// <summary>
    /// Runs the garbage collector on the young generations and waits for the finalizers it queued, so the native
    /// objects of TorchSharp that nothing references any more are freed now and their blocks can be reused. A training
    /// step's objects are young, and a young collection costs what they do, not what the whole .NET heap does: with a
    /// full collection every 16 batches, lectures 05 and 06 took 25-40% longer in quick mode, in the kit's kernel and
    /// through the grader, than with this one (docs/benchmarks.md).
    /// </summary>
    public static void Collect()
    {
        if (Off) return;
        GC.Collect(1, GCCollectionMode.Forced, blocking: true);
        GC.WaitForPendingFinalizers();
    }

    /// <summary>
    /// A full collection, the finalizers it queued, then the free pages of the C heap returned to the system (glibc's
    /// <c>malloc_trim</c>; on macOS, Windows or a C library without it only the collection): for after a large pass
    /// whose memory should not stay with the process, or tensors dropped long ago. Too dear for every few steps of a
    /// training, whose next steps fault the pages in again.
    /// </summary>
    public static void Trim()
    {
        if (Off) return;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        if (_noTrim) return;
        try { MallocTrim(0); }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { _noTrim = true; }
    }

    static readonly object WatchGate = new();
    static Thread? _watch;

    /// <summary>
    /// Starts, once per process, a background thread that reads the process's resident memory every
    /// <paramref name="periodMs"/> and runs <see cref="Trim"/> whenever it has grown by <paramref name="growthBytes"/>
    /// since the last trim. The garbage collector sees a tensor as a small .NET object and none of its native memory,
    /// so code that drops tensors without disposing them — a notebook's helper called in a loop — grows the process
    /// by gigabytes before the collector runs once: lecture 03's full mode held 2.5 GB after a cell that only
    /// measured 19 reconstructions of the test set (docs/benchmarks.md). <see cref="Setup.Initialize"/> starts it.
    /// Nothing happens while <c>AECOURSE_NATIVE_RECLAIM</c> is <c>off</c>.
    /// </summary>
    /// <param name="growthBytes">Growth of the resident memory that triggers a trim. A lecture's peak sits up to this
    /// much above what it holds: 128 MB took lecture 04's full mode from 1.75 to 1.66 GB and 05's from 1.55 to 1.47 GB
    /// against 256 MB, printing the same numbers; in training the batch iterator's collections keep the growth below
    /// it, so the watch seldom trims there.</param>
    /// <param name="periodMs">How often the resident memory is read.</param>
    public static void Watch(long growthBytes = 128L << 20, int periodMs = 200)
    {
        if (Off) return;
        ArgumentOutOfRangeException.ThrowIfLessThan(growthBytes, 1L << 20);
        ArgumentOutOfRangeException.ThrowIfLessThan(periodMs, 10);
        lock (WatchGate)
        {
            if (_watch is not null) return;
            _watch = new Thread(() => WatchLoop(growthBytes, periodMs)) { IsBackground = true, Name = "AeCourse native heap watch" };
            _watch.Start();
        }
    }

    static void WatchLoop(long growthBytes, int periodMs)
    {
        try
        {
            long baseline = ResidentBytes();
            while (true)
            {
                Thread.Sleep(periodMs);
                long resident = ResidentBytes();
                if (resident > baseline + growthBytes)
                {
                    Trim();
                    baseline = ResidentBytes();
                }
                else if (resident < baseline)
                    baseline = resident;             // memory given back by other means: measure growth from here
            }
        }
        catch (Exception e)
        {
            // A watch that cannot read the memory must not end the process that runs the lecture.
            Console.Error.WriteLine($"AeCourse: the native heap watch stopped: {e.Message}");
        }
    }

    /// <summary>The process's resident memory: /proc/self/statm where there is one, else what .NET reports.</summary>
    public static long ResidentBytes()
    {
        try
        {
            var fields = File.ReadAllText("/proc/self/statm").Split(' ');
            return long.Parse(fields[1]) * Environment.SystemPageSize;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return Environment.WorkingSet;
        }
    }
}
