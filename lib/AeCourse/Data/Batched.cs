using AeCourse.Runtime;
using static TorchSharp.torch;

namespace AeCourse.Data;

/// <summary>
/// A function of many images, computed a batch at a time. A classifier run on 10,000 test images at once holds every
/// layer's activations for all of them (its first convolution alone, 32 maps of 28 × 28, is 1 GB); a batch at a time
/// it holds one batch's, and only the results stay.
/// </summary>
public static class Batched
{
    /// <summary>
    /// <paramref name="f"/> applied to <paramref name="x"/> [N, …] in batches of <paramref name="batchSize"/> rows,
    /// without gradients, the results concatenated along the first dimension: [N, …] as <c>f(x)</c> would give for a
    /// function that treats each row on its own (a model in eval mode). The batches' intermediates are freed as each
    /// batch ends, and the memory the C heap kept of them goes back to the system.
    /// </summary>
    /// <param name="x">Rows to map, e.g. images [N, 1, 28, 28].</param>
    /// <param name="f">What to compute for a batch, e.g. <c>classifier.forward</c>; its result's first dimension is the batch's.</param>
    /// <param name="batchSize">Rows a batch (at least 1).</param>
    public static Tensor Map(Tensor x, Func<Tensor, Tensor> f, int batchSize = 500)
    {
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "a batch needs at least one row");
        if (x.dim() == 0) throw new ArgumentException("x is a single number; Batched.Map needs rows to split along the first dimension", nameof(x));
        long n = x.shape[0];
        using var _ = no_grad();
        Tensor result;
        using (var scope = NewDisposeScope())
        {
            var parts = new List<Tensor>();
            // No rows: one call on the empty x, so the result still has f's shape beyond the first dimension.
            for (long start = 0; start < n || parts.Count == 0; start += batchSize)
            {
                long length = Math.Min(batchSize, n - start);
                using var batchScope = NewDisposeScope();
                var part = f(x.narrow(0, start, length));
                if (part.dim() == 0 || part.shape[0] != length)
                    throw new ArgumentException($"f gave {Shape(part)} for a batch of {length} rows; Batched.Map needs one result row per input row", nameof(f));
                parts.Add(part.MoveToOuterDisposeScope());
            }
            result = (parts.Count == 1 ? parts[0].alias() : cat(parts, 0)).MoveToOuterDisposeScope();
        }
        NativeHeap.Trim();
        return result;
    }

    static string Shape(Tensor t) => $"[{string.Join(", ", t.shape)}]";
}
