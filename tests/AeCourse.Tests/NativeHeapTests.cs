using System.Runtime.CompilerServices;
using AeCourse.Runtime;
using static TorchSharp.torch;

namespace AeCourse.Tests;

public sealed class NativeHeapTests
{
    // Starts the native heap's watch (128 MB of growth, read every 200 ms), as in every lecture.
    public NativeHeapTests() => Setup.Initialize(seed: 0, device: "cpu", quiet: true);

    [Fact]
    public void Given_tensors_dropped_without_dispose_When_the_process_grows_Then_the_watch_frees_them()
    {
        // A notebook's helper that makes a 64 MB tensor and drops it, called in a loop: the garbage collector sees 40
        // small objects and does not run, so without the watch the process grows by 2.5 GB (it does, with
        // AECOURSE_NATIVE_RECLAIM=off) and the first tensor is still alive at the end.
        long before = NativeHeap.ResidentBytes(), highest = before;
        var first = DropATensor();
        for (int i = 0; i < 40 && first.IsAlive; i++)
        {
            DropATensor();
            Thread.Sleep(50);
            highest = Math.Max(highest, NativeHeap.ResidentBytes());
        }
        Assert.False(first.IsAlive, "the first dropped tensor was not freed after 40 more (2.5 GB)");
        // Trimmed at 128 MB of growth, read every 200 ms: at most 128 MB + 4 tensors of 64 MB before the trim, and the
        // tensors made while the trim's collection runs: 576 MB leaves room for three more.
        Assert.True(highest - before < 576L << 20, $"the process grew by {(highest - before) >> 20} MB");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]   // so no local of this frame keeps the tensor alive
    static WeakReference DropATensor() => new(ones(16L << 20));   // 16 M floats: 64 MB, written, so resident
}
