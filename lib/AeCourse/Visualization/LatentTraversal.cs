using static TorchSharp.torch;

namespace AeCourse.Visualization;

/// <summary>
/// Latent traversals: one row per latent dimension, that dimension swept from −range to +range while the others keep
/// the values of a starting code. In a disentangled code each row changes one thing (width, sleeve length, …).
/// </summary>
public static class LatentTraversal
{
    /// <summary>Codes [dims.Count · steps, latentDim], row by row.</summary>
    public static Tensor Codes(Tensor z0, IReadOnlyList<int> dims, double range = 3, int steps = 9)
    {
        if (z0.dim() != 1) throw new ArgumentException($"z0 must be one code [latentDim]; got [{string.Join(", ", z0.shape)}].", nameof(z0));
        if (steps < 2) throw new ArgumentOutOfRangeException(nameof(steps), steps, "take at least 2 steps");
        if (dims.FirstOrDefault(d => d < 0 || d >= z0.shape[0], -1) is var bad && bad >= 0)
            throw new ArgumentOutOfRangeException(nameof(dims), bad, $"latent dimension {bad} is not below latentDim ({z0.shape[0]})");
        using var scope = NewDisposeScope();
        var sweep = linspace(-range, range, steps, dtype: z0.dtype, device: z0.device);
        var rows = dims.Select(d =>
        {
            var row = z0.unsqueeze(0).repeat(steps, 1);
            row[TensorIndex.Colon, d] = sweep;
            return row;
        });
        return cat(rows.ToArray(), 0).MoveToOuterDisposeScope();
    }

    /// <summary>The traversal as labelled rows ("z3" …).</summary>
    /// <param name="decode">z [N, latentDim] → images in [0, 1].</param>
    /// <param name="z0">Starting code [latentDim], e.g. a test image's mu or zeros (the prior's mean).</param>
    /// <param name="dims">Dimensions to sweep, one row each (e.g. the active units).</param>
    /// <param name="range">Sweep from −range to +range (the prior's standard deviations).</param>
    /// <param name="steps">Images per row.</param>
    public static Picture Show(Func<Tensor, Tensor> decode, Tensor z0, IReadOnlyList<int> dims, double range = 3, int steps = 9)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var images = decode(Codes(z0, dims, range, steps)).view(dims.Count, steps, -1);
        return ImageGrid.Rows(dims.Select((d, i) => ($"z{d}", images[i])).ToList(), scale: 2, padding: 2,
            caption: $"traversals of z{string.Join(", z", dims)} from -{range} to +{range}");
    }
}
