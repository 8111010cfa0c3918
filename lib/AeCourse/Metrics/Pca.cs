using AeCourse.Data;
using static TorchSharp.torch;

namespace AeCourse.Metrics;

/// <summary>
/// Principal component analysis: the best k-dimensional linear encoder-decoder in squared error — the floor a linear
/// autoencoder can reach and the reference it must match. The components are the eigenvectors of the centred data's
/// scatter matrix, accumulated in float64 a few thousand rows at a time: a singular value decomposition of the full
/// training set (60,000 × 784, float64) held 2.4 GB, the scatter matrix 5 MB (docs/benchmarks.md). Each component's
/// sign is fixed so that its largest loading is positive, as scikit-learn does, so pictures of the components do not
/// flip with the LAPACK build.
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
        var (mean, variance, components) = Decompose(data);
        return new Pca(mean.MoveToOuterDisposeScope(), components.narrow(0, 0, k).contiguous().MoveToOuterDisposeScope(),
                       variance.narrow(0, 0, k).MoveToOuterDisposeScope(), (variance.narrow(0, 0, k) / variance.sum()).MoveToOuterDisposeScope());
    }

    /// <summary>
    /// The variance along every principal direction of data [N, features], largest first: [features] (zeros beyond
    /// N − 1). Their sum is the data's total variance, so a prefix's share is what k components keep.
    /// </summary>
    public static Tensor Spectrum(Tensor data)
    {
        using var scope = NewDisposeScope();
        return Decompose(data).Variance.MoveToOuterDisposeScope();
    }

    /// <summary>Codes of data [N, features] → [N, k], <see cref="ChunkRows"/> rows at a time.</summary>
    public Tensor Encode(Tensor data)
    {
        using var scope = NewDisposeScope();
        return Batched.Map(data.flatten(1), rows => Project(rows.to(ScalarType.Float64)), (int)ChunkRows).MoveToOuterDisposeScope();
    }

    /// <summary>Codes of float64 rows [N, features] → [N, k], in one piece.</summary>
    Tensor Project(Tensor x) => (x - Mean).matmul(Components.T);

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
        var flat = data.flatten(1);
        double squared = 0;
        for (long start = 0; start < flat.shape[0]; start += ChunkRows)
        {
            using var chunkScope = NewDisposeScope();
            var x = Chunk(flat, start);
            squared += (Decode(Project(x)) - x).pow(2).sum().item<double>();
        }
        return squared / flat.numel();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Mean.Dispose();
        Components.Dispose();
        ExplainedVariance.Dispose();
        ExplainedVarianceRatio.Dispose();
    }

    /// <summary>Rows of data a time converted to float64 while the scatter matrix is accumulated (8,192 × 784: 51 MB).</summary>
    const long ChunkRows = 8192;

    /// <summary>The mean [features], the variances [features] largest first and the components as rows [features, features].</summary>
    static (Tensor Mean, Tensor Variance, Tensor Components) Decompose(Tensor data)
    {
        if (data.dim() < 2 || data.shape[0] < 2)
            throw new ArgumentException($"PCA needs at least two rows of features; got shape [{string.Join(", ", data.shape)}]", nameof(data));
        var flat = data.flatten(1);
        long n = flat.shape[0], features = flat.shape[1];
        var mean = zeros(features, dtype: ScalarType.Float64, device: flat.device);
        for (long start = 0; start < n; start += ChunkRows)
        {
            using var chunkScope = NewDisposeScope();
            mean.add_(Chunk(flat, start).sum([0]));
        }
        mean.div_(n);
        var scatter = zeros([features, features], dtype: ScalarType.Float64, device: flat.device);
        for (long start = 0; start < n; start += ChunkRows)
        {
            using var chunkScope = NewDisposeScope();
            var centred = Chunk(flat, start) - mean;                                // [≤ ChunkRows, features]
            scatter.add_(centred.T.matmul(centred));
        }
        // eigh sorts ascending: of −scatter, the largest variance comes first. Vectors as columns.
        var (negated, eigenvectors) = linalg.eigh(scatter.neg_());
        var variance = negated.neg().clamp_min(0) / (n - 1);                       // rounding can leave −1e-13 for a zero
        var components = eigenvectors.T;                                           // [features, features], largest first
        var largest = components.square().argmax(1, keepdim: true);                 // the largest loading in size
        components = components * components.gather(1, largest).sign();
        return (mean, variance, components);
    }

    /// <summary>Up to <see cref="ChunkRows"/> rows of flat from <paramref name="start"/>, in float64.</summary>
    static Tensor Chunk(Tensor flat, long start) =>
        flat.narrow(0, start, Math.Min(ChunkRows, flat.shape[0] - start)).to(ScalarType.Float64);
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
