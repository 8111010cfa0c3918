using static TorchSharp.torch;

namespace AeCourse.Metrics;

/// <summary>
/// Principal component analysis by singular value decomposition of the centred data: the best k-dimensional linear
/// encoder-decoder in squared error — the floor a linear autoencoder can reach and the reference it must match.
/// </summary>
public sealed class Pca : IDisposable
{
    /// <summary>Mean of the data, [features].</summary>
    public Tensor Mean { get; }

    /// <summary>The k principal directions as rows, orthonormal: [k, features].</summary>
    public Tensor Components { get; }

    /// <summary>Variance along each component: [k].</summary>
    public Tensor ExplainedVariance { get; }

    /// <summary>Each component's share of the total variance: [k].</summary>
    public Tensor ExplainedVarianceRatio { get; }

    Pca(Tensor mean, Tensor components, Tensor variance, Tensor ratio)
    {
        Mean = mean;
        Components = components;
        ExplainedVariance = variance;
        ExplainedVarianceRatio = ratio;
    }

    /// <summary>Fits k components to data [N, features] (float64 inside, for accuracy).</summary>
    public static Pca Fit(Tensor data, int k)
    {
        if (k < 1 || k > Math.Min(data.shape[0], data.shape[1]))
            throw new ArgumentOutOfRangeException(nameof(k), k, $"k must be between 1 and min(N, features) = {Math.Min(data.shape[0], data.shape[1])}");
        using var scope = NewDisposeScope();
        var x = data.flatten(1).to(ScalarType.Float64);
        var mean = x.mean([0]);
        var (_, s, vh) = linalg.svd(x - mean, fullMatrices: false);
        var variance = s.pow(2) / (x.shape[0] - 1);
        return new Pca(mean.MoveToOuterDisposeScope(), vh.narrow(0, 0, k).contiguous().MoveToOuterDisposeScope(),
                       variance.narrow(0, 0, k).MoveToOuterDisposeScope(), (variance.narrow(0, 0, k) / variance.sum()).MoveToOuterDisposeScope());
    }

    /// <summary>Codes of data [N, features] → [N, k].</summary>
    public Tensor Encode(Tensor data)
    {
        using var scope = NewDisposeScope();
        return (data.flatten(1).to(ScalarType.Float64) - Mean).matmul(Components.T).MoveToOuterDisposeScope();
    }

    /// <summary>Reconstruction from codes [N, k] → [N, features].</summary>
    public Tensor Decode(Tensor codes)
    {
        using var scope = NewDisposeScope();
        return (codes.matmul(Components) + Mean).MoveToOuterDisposeScope();
    }

    /// <summary>Mean squared error per pixel of reconstructing <paramref name="data"/> through k components.</summary>
    public double MsePerPixel(Tensor data)
    {
        using var scope = NewDisposeScope();
        var x = data.flatten(1).to(ScalarType.Float64);
        return (Decode(Encode(x)) - x).pow(2).mean().item<double>();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Mean.Dispose();
        Components.Dispose();
        ExplainedVariance.Dispose();
        ExplainedVarianceRatio.Dispose();
    }
}

/// <summary>Principal angles between subspaces: how far apart two k-dimensional subspaces are.</summary>
public static class Subspaces
{
    /// <summary>
    /// The principal angles, in degrees and ascending, between the row spaces of <paramref name="a"/> [k, n] and
    /// <paramref name="b"/> [m, n] (rows need not be orthonormal): orthonormalise both by QR, then the singular values
    /// of Qaᵀ Qb are the cosines of the angles (Björck and Golub, 1973).
    /// </summary>
    public static double[] PrincipalAnglesDegrees(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        var (qa, _) = linalg.qr(a.to(ScalarType.Float64).T);
        var (qb, _) = linalg.qr(b.to(ScalarType.Float64).T);
        var cosines = linalg.svdvals(qa.T.matmul(qb)).clamp(-1, 1);
        return cosines.acos().rad2deg().sort().Values.cpu().data<double>().ToArray();
    }
}
