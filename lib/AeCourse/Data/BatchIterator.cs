using System.Collections;
using AeCourse.Runtime;
using static TorchSharp.torch;

namespace AeCourse.Data;

/// <summary>
/// Mini-batches over tensors already on the device. Each enumeration is one epoch; with shuffling, each epoch draws a
/// new permutation from a generator seeded once, so a run is repeatable and the epochs differ.
/// </summary>
/// <remarks>
/// A batch is valid until the next one is drawn: the iterator disposes it then (call <c>clone()</c> to keep one).
/// Permutations come from a CPU generator and move to the data's device, so CPU and GPU runs see the same batches.
/// Dispose the iterator to free that generator's native state at once rather than when the collector gets to it.
/// </remarks>
public sealed class BatchIterator : IEnumerable<(Tensor X, Tensor Y)>, IDisposable
{
    readonly Tensor _x;
    readonly Tensor _y;
    readonly Generator? _generator;
    readonly bool _ownsY;
    bool _disposed;

    /// <summary>Batches over <paramref name="x"/> and (optionally) matching labels <paramref name="y"/>.</summary>
    /// <param name="x">Inputs, first dimension = examples.</param>
    /// <param name="y">Targets with the same first dimension, or null (then batches carry an empty tensor).</param>
    /// <param name="batchSize">Examples per batch.</param>
    /// <param name="shuffle">Draw a new order every epoch.</param>
    /// <param name="seed">Seed of the shuffling generator.</param>
    /// <param name="dropLast">Skip a last, smaller batch.</param>
    public BatchIterator(Tensor x, Tensor? y, int batchSize, bool shuffle = true, long seed = 0, bool dropLast = false)
    {
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batch size must be at least 1");
        if (y is not null && y.shape[0] != x.shape[0])
            throw new ArgumentException($"x has {x.shape[0]} examples but y has {y.shape[0]}.", nameof(y));
        _x = x;
        _y = y ?? empty(0);
        _ownsY = y is null;
        BatchSize = batchSize;
        DropLast = dropLast;
        _generator = shuffle ? new Generator((ulong)seed, CPU) : null;
    }

    /// <summary>Examples per batch.</summary>
    public int BatchSize { get; }

    /// <summary>Whether a last, smaller batch is skipped.</summary>
    public bool DropLast { get; }

    /// <summary>Number of examples.</summary>
    public long Count => _x.shape[0];

    /// <summary>Batches between two collections of TorchSharp's unreferenced native objects (<see cref="NativeHeap.Collect"/>).</summary>
    const int CollectEvery = 16;

    /// <summary>Batches in one epoch.</summary>
    public long BatchesPerEpoch => DropLast ? Count / BatchSize : (Count + BatchSize - 1) / BatchSize;

    /// <inheritdoc />
    public IEnumerator<(Tensor X, Tensor Y)> GetEnumerator()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var order = _generator is null ? null : randperm(Count, generator: _generator).to(_x.device);
        bool hasY = _y.numel() > 0;
        (Tensor X, Tensor Y)? previous = null;
        long served = 0;
        try
        {
            for (long start = 0; start < Count; start += BatchSize)
            {
                long length = Math.Min(BatchSize, Count - start);
                if (length < BatchSize && DropLast) break;
                if (previous is { } p) { p.X.Dispose(); p.Y.Dispose(); }
                (Tensor X, Tensor Y) batch;
                if (order is null)
                    batch = (_x.narrow(0, start, length), hasY ? _y.narrow(0, start, length) : empty(0));
                else
                {
                    using var index = order.narrow(0, start, length);
                    batch = (_x.index_select(0, index), hasY ? _y.index_select(0, index) : empty(0));
                }
                previous = batch;
                if (++served % CollectEvery == 0) NativeHeap.Collect();   // so the next steps reuse what the last ones freed
                yield return batch;
            }
        }
        finally
        {
            if (previous is { } p) { p.X.Dispose(); p.Y.Dispose(); }
            // Once an epoch the free pages go back to the system too, among them what the cells between two trainings
            // freed: lecture 04 in full mode peaked at 3.1 GB so, 3.9 GB without (docs/benchmarks.md).
            if (served >= CollectEvery) NativeHeap.Trim();
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Frees the shuffling generator (and the empty label tensor made when there are no labels).</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _generator?.Dispose();
        if (_ownsY) _y.Dispose();
    }
}
