using static TorchSharp.torch;

namespace AeCourse.Metrics;

/// <summary>
/// The Fréchet distance between two Gaussians fitted to feature sets:
/// ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2 (Σ₁^½ Σ₂ Σ₁^½)^½). With the features of a classifier the kit trains on the same
/// dataset it is a <b>domain</b> Fréchet distance for generated images — the idea of FID, but not Inception FID, and
/// its numbers are not comparable with published FID scores.
/// </summary>
public static class FrechetDistance
{
    /// <summary>Distance between the Gaussians fitted to features <paramref name="a"/> [N, d] and <paramref name="b"/> [M, d].</summary>
    public static double Between(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        var (muA, covA) = Moments(a);
        var (muB, covB) = Moments(b);
        return FromMoments(muA, covA, muB, covB);
    }

    /// <summary>Distance between N(μ₁, Σ₁) and N(μ₂, Σ₂).</summary>
    public static double FromMoments(Tensor mu1, Tensor sigma1, Tensor mu2, Tensor sigma2)
    {
        using var scope = NewDisposeScope();
        var s1 = sigma1.to(ScalarType.Float64);
        var s2 = sigma2.to(ScalarType.Float64);
        var root1 = SymmetricSqrt(s1);
        var crossRoot = SymmetricSqrt(root1.matmul(s2).matmul(root1));
        var meanTerm = (mu1.to(ScalarType.Float64) - mu2.to(ScalarType.Float64)).pow(2).sum();
        return (meanTerm + s1.trace() + s2.trace() - crossRoot.trace() * 2).item<double>();
    }

    /// <summary>Mean [d] and covariance [d, d] (unbiased) of features [N, d].</summary>
    public static (Tensor Mean, Tensor Covariance) Moments(Tensor features)
    {
        using var scope = NewDisposeScope();
        var x = features.flatten(1).to(ScalarType.Float64);
        var mean = x.mean([0]);
        var centred = x - mean;
        return scope.MoveToOuter(mean, centred.T.matmul(centred) / (x.shape[0] - 1));
    }

    /// <summary>The square root of a symmetric positive semi-definite matrix by its eigendecomposition (tiny negative eigenvalues from round-off are clipped).</summary>
    static Tensor SymmetricSqrt(Tensor m)
    {
        var symmetric = (m + m.T) / 2;
        var (values, vectors) = linalg.eigh(symmetric);
        return vectors.matmul(diag(values.clamp_min(0).sqrt())).matmul(vectors.T);
    }
}
