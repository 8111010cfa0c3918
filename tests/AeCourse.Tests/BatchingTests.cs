using System.Runtime.CompilerServices;
using AeCourse.Data;
using AeCourse.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace AeCourse.Tests;

public sealed class BatchingTests
{
    public BatchingTests() => Setup.Initialize(seed: 0, device: "cpu", quiet: true);

    static long[] Values(Tensor t) => t.data<long>().ToArray();

    [Fact]
    public void Given_shuffling_When_iterating_two_epochs_Then_each_visits_every_example_once_in_a_new_order()
    {
        using var x = arange(0L, 103L);
        var batches = new BatchIterator(x, x, batchSize: 10, seed: 5);
        var epoch1 = batches.SelectMany(b => Values(b.X)).ToArray();
        var epoch2 = batches.SelectMany(b => Values(b.X)).ToArray();

        Assert.Equal(Enumerable.Range(0, 103).Select(i => (long)i), epoch1.Order());
        Assert.Equal(Enumerable.Range(0, 103).Select(i => (long)i), epoch2.Order());
        Assert.NotEqual(epoch1, epoch2);
        Assert.Equal(11, batches.BatchesPerEpoch);
    }

    [Fact]
    public void Given_labels_When_shuffled_Then_each_batch_keeps_pairs_together()
    {
        using var x = arange(0L, 50L);
        using var y = x.mul(3);
        foreach (var (bx, by) in new BatchIterator(x, y, batchSize: 7, seed: 1))
            Assert.Equal(Values(bx).Select(v => v * 3), Values(by));
    }

    [Fact]
    public void Given_a_disposed_iterator_When_enumerated_Then_it_refuses_and_its_data_is_untouched()
    {
        using var x = arange(0L, 20L);
        var batches = new BatchIterator(x, null, batchSize: 8, seed: 3);
        Assert.Equal(3, batches.Count());
        batches.Dispose();
        batches.Dispose();   // a second dispose is harmless
        Assert.Throws<ObjectDisposedException>(() => batches.First());
        Assert.Equal(190L, x.sum().item<long>());   // the iterator freed its own state, never the caller's tensors
    }

    [Fact]
    public void Given_the_same_seed_When_two_iterators_run_Then_their_batches_are_equal()
    {
        using var x = arange(0L, 64L);
        var a = new BatchIterator(x, null, batchSize: 8, seed: 42).SelectMany(b => Values(b.X)).ToArray();
        var b = new BatchIterator(x, null, batchSize: 8, seed: 42).SelectMany(b => Values(b.X)).ToArray();
        var c = new BatchIterator(x, null, batchSize: 8, seed: 43).SelectMany(b => Values(b.X)).ToArray();
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Given_drop_last_When_the_count_is_not_a_multiple_Then_the_short_batch_is_skipped()
    {
        using var x = arange(0L, 25L);
        var sizes = new BatchIterator(x, null, batchSize: 10, shuffle: false, dropLast: true).Select(b => b.X.shape[0]).ToArray();
        Assert.Equal([10L, 10L], sizes);
        var inOrder = new BatchIterator(x, null, batchSize: 10, shuffle: false).SelectMany(b => Values(b.X));
        Assert.Equal(Enumerable.Range(0, 25).Select(i => (long)i), inOrder);
    }

    [Fact]
    public void Given_mismatched_x_and_y_When_constructed_Then_the_error_gives_both_counts()
    {
        using var x = zeros(10);
        using var y = zeros(9);
        var e = Assert.Throws<ArgumentException>(() => new BatchIterator(x, y, 4));
        Assert.Contains("10", e.Message);
        Assert.Contains("9", e.Message);
    }

    [Fact]
    public void Given_labels_When_sampling_k_per_class_Then_each_class_gives_k_distinct_members_deterministically()
    {
        var labels = Enumerable.Range(0, 1000).Select(i => (long)(i * 7 % 10)).ToArray();
        var picked = StratifiedSampler.SampleIndices(labels, perClass: 10, seed: 3);

        Assert.Equal(100, picked.Length);
        Assert.Equal(100, picked.Distinct().Count());
        Assert.All(picked.GroupBy(i => labels[i]), g => Assert.Equal(10, g.Count()));
        Assert.Equal(picked, StratifiedSampler.SampleIndices(labels, perClass: 10, seed: 3));
        Assert.NotEqual(picked, StratifiedSampler.SampleIndices(labels, perClass: 10, seed: 4));
    }

    [Fact]
    public void Given_a_class_with_too_few_examples_When_sampling_Then_the_error_names_it()
    {
        long[] labels = [0, 0, 0, 1, 2, 2, 2];
        var e = Assert.Throws<ArgumentException>(() => StratifiedSampler.SampleIndices(labels, perClass: 2));
        Assert.Contains("class 1 has 1 examples", e.Message);
    }

    [Fact]
    public void Given_a_scalar_dropped_in_a_step_When_16_batches_have_passed_Then_it_has_been_collected()
    {
        // TorchSharp frees the native scalar of a number in a tensor expression only in its finalizer; left to a
        // collector that rarely runs during training, such blocks split the C heap until it grows without bound
        // (NativeHeap). The iterator runs the collector, and waits for the finalizers, every 16 batches.
        using var x = zeros(40, 4);
        WeakReference? dropped = null;
        int batch = 0;
        foreach (var _ in new BatchIterator(x, null, batchSize: 1, seed: 0))
        {
            if (++batch == 1) dropped = DropAScalar();
            if (batch == 16) break;
        }
        Assert.Equal(16, batch);
        Assert.False(dropped!.IsAlive, "the scalar dropped in batch 1 was not collected by batch 16");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]   // so no local of this frame keeps the scalar alive
    static WeakReference DropAScalar() => new(0.9.ToScalar());
}
