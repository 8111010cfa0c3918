using static TorchSharp.torch;

namespace AeCourse.Metrics;

/// <summary>How a VAE uses its latent dimensions.</summary>
public static class LatentStatistics
{
    /// <summary>
    /// Active units (Burda et al., 2016): dimensions whose posterior mean varies across inputs, Var_x(mu_d) above
    /// <paramref name="threshold"/>. A collapsed dimension has mu_d ≈ 0 for every x and carries no information.
    /// </summary>
    /// <param name="mu">Posterior means of a set of inputs, [N, latentDim].</param>
    /// <param name="threshold">Variance below which a unit counts as inactive (0.01 as in the paper).</param>
    public static int ActiveUnits(Tensor mu, double threshold = 0.01)
    {
        using var scope = NewDisposeScope();
        return (int)mu.to(ScalarType.Float64).var([0]).gt(threshold).sum().item<long>();
    }

    /// <summary>Mean KL(q(z_d | x) ‖ N(0, 1)) of each dimension over the inputs, [latentDim], nats — the bars of the KL chart.</summary>
    public static Tensor KlPerDimension(Tensor mu, Tensor logVar)
    {
        using var scope = NewDisposeScope();
        return Losses.GaussianKl.PerDimension(mu, logVar).mean([0]).MoveToOuterDisposeScope();
    }

    /// <summary>How many samples fall in each class (e.g. a classifier's labels of generated images: mode collapse shows as empty classes).</summary>
    public static int[] LabelHistogram(Tensor labels, int classes)
    {
        using var scope = NewDisposeScope();
        var counts = new int[classes];
        foreach (var label in labels.to(ScalarType.Int64).cpu().data<long>())
        {
            if (label < 0 || label >= classes) throw new ArgumentOutOfRangeException(nameof(labels), label, $"labels must lie in 0..{classes - 1}");
            counts[label]++;
        }
        return counts;
    }

    /// <summary>
    /// The entropy of a histogram's shares, −Σ p_k ln p_k in nats (empty classes count 0): ln K for K equal classes, 0 when
    /// every sample falls in one — a label histogram of generated images that is much narrower than the data's means mode collapse.
    /// </summary>
    public static double LabelEntropy(IReadOnlyList<int> counts)
    {
        if (counts.Any(c => c < 0)) throw new ArgumentOutOfRangeException(nameof(counts), "counts cannot be negative");
        double total = counts.Sum();
        if (total == 0) throw new ArgumentException("the histogram is empty", nameof(counts));
        return -counts.Where(c => c > 0).Sum(c => c / total * Math.Log(c / total));
    }
}
