using AeCourse.Data;
using AeCourse.Metrics;
using AeCourse.Runtime;
using static TorchSharp.torch;

namespace AeCourse.Tests;

public sealed class MetricsTests
{
    public MetricsTests() => Setup.Initialize(seed: 0, device: "cpu", quiet: true);

    [Fact]
    public void Given_known_images_When_psnr_is_measured_Then_it_is_ten_log10_of_one_over_mse()
    {
        var x = full([2, 1, 28, 28], 0.5, dtype: ScalarType.Float64);
        // An error of 0.1 everywhere: MSE 0.01, PSNR 10 · log10(100) = 20 dB exactly.
        Assert.Equal(20.0, ImageQuality.Psnr(x + 0.1, x), 9);
        // Half the error is 6.02 dB better: 20 · log10(2).
        Assert.Equal(20.0 + 20 * Math.Log10(2), ImageQuality.Psnr(x + 0.05, x), 9);
        // Images as the kit holds them, float32: the same number to float32's precision.
        Assert.Equal(20.0, ImageQuality.Psnr(x.to(ScalarType.Float32) + 0.1f, x.to(ScalarType.Float32)), 4);
    }

    [Fact]
    public void Given_data_on_a_plane_When_pca_is_fitted_Then_it_finds_the_plane_and_its_variances()
    {
        // 2,000 points on a plane of R^5 (standard deviations 3 and 1 along two orthonormal directions) plus noise 0.01.
        var generator = new Generator(5);
        var (basis, _) = linalg.qr(randn([5, 2], dtype: ScalarType.Float64, generator: generator));   // [5, 2], orthonormal columns
        var latent = randn([2000, 2], dtype: ScalarType.Float64, generator: generator) * tensor(new double[] { 3, 1 }, dtype: ScalarType.Float64);
        var data = latent.matmul(basis.T) + randn([2000, 5], dtype: ScalarType.Float64, generator: generator) * 0.01 + 0.7;

        using var pca = Pca.Fit(data, 2);

        Assert.All(Subspaces.PrincipalAnglesDegrees(pca.Components, basis.T), angle => Assert.True(angle < 0.5, $"angle {angle}°"));
        var variance = pca.ExplainedVariance.data<double>().ToArray();
        // Sample variances of 2,000 draws scatter by sqrt(2/2000) ≈ 3%: allow 15%.
        Assert.InRange(variance[0], 9 * 0.85, 9 * 1.15);
        Assert.InRange(variance[1], 1 * 0.85, 1 * 1.15);
        Assert.True(pca.ExplainedVarianceRatio.sum().item<double>() > 0.999);
    }

    [Fact]
    public void Given_pca_When_reconstructing_the_fitted_data_Then_the_error_is_the_sum_of_the_discarded_eigenvalues()
    {
        var data = rand([300, 12], dtype: ScalarType.Float64, generator: new Generator(9));
        using var pca = Pca.Fit(data, 4);
        var centred = data - data.mean([0]);
        var eigenvalues = linalg.svdvals(centred).pow(2) / 299;   // all 12
        // Eckart–Young: the squared error of the best rank-4 reconstruction is the sum of the other eigenvalues.
        var expected = eigenvalues.narrow(0, 4, 8).sum().item<double>() * 299 / 300 / 12;
        Assert.Equal(expected, pca.MsePerPixel(data), 10);
    }

    [Fact]
    public void Given_more_rows_than_one_chunk_When_pca_is_fitted_Then_it_matches_the_singular_value_decomposition()
    {
        // 10,000 rows (more than the 8,192 converted at a time) of 12 correlated features, float32 as images are.
        var generator = new Generator(11);
        var mixing = randn([12, 12], generator: generator);
        var data = randn([10000, 12], generator: generator).matmul(mixing) + 0.5f;
        var centred = data.to(ScalarType.Float64) - data.to(ScalarType.Float64).mean([0]);
        var (_, s, vh) = linalg.svd(centred, fullMatrices: false);   // the reference: SVD of the whole centred data
        var reference = s.pow(2) / 9999;

        using var pca = Pca.Fit(data, 5);

        // Both sides in float64 from the same float32 data; the scatter matrix squares the condition number, which
        // for these variances (a ratio below 1e4 between the largest and the 5th) leaves about 1e-12 relative error.
        var variance = pca.ExplainedVariance.data<double>().ToArray();
        for (int i = 0; i < 5; i++)
            Assert.Equal(1.0, variance[i] / reference[i].item<double>(), 9);
        var spectrum = Pca.Spectrum(data);
        Assert.Equal(0.0, (spectrum - reference).abs().max().item<double>() / reference[0].item<double>(), 9);
        // The same directions up to sign: |⟨v_i, v'_i⟩| = 1. The sign is the kit's convention: the largest loading positive.
        var cosines = (pca.Components * vh.narrow(0, 0, 5)).sum(1).abs();
        Assert.Equal(0.0, (cosines - 1).abs().max().item<double>(), 9);
        var largest = pca.Components.abs().argmax(1, keepdim: true);
        Assert.True(pca.Components.gather(1, largest).gt(0).all().item<bool>());
        // Encoding in chunks gives the projection of the whole: codes [N, 5] = centred · Vᵀ.
        var codes = pca.Encode(data);
        Assert.Equal(0.0, (codes - centred.matmul(pca.Components.T)).abs().max().item<double>(), 9);
    }

    [Fact]
    public void Given_a_single_row_When_pca_is_fitted_Then_it_says_it_needs_two()
    {
        var error = Assert.Throws<ArgumentException>(() => Pca.Spectrum(zeros(1, 784)));
        Assert.Contains("at least two rows", error.Message);
        Assert.Contains("[1, 784]", error.Message);
    }

    [Fact]
    public void Given_two_planes_at_thirty_degrees_When_principal_angles_are_computed_Then_they_are_zero_and_thirty()
    {
        double c = Math.Cos(Math.PI / 6), s = Math.Sin(Math.PI / 6);
        var a = tensor(new double[,] { { 1, 0, 0, 0 }, { 0, 2, 0, 0 } });          // rows need not be unit length
        var b = tensor(new double[,] { { 1, 0, 0, 0 }, { 0, c, s, 0 } });
        var angles = Subspaces.PrincipalAnglesDegrees(a, b);
        Assert.Equal(0, angles[0], 6);
        Assert.Equal(30, angles[1], 6);
    }
}

public sealed class CorruptionTests
{
    public CorruptionTests() => Setup.Initialize(seed: 0, device: "cpu", quiet: true);

    // 100,000 pixels: a fraction's standard error is at most 0.0016, so ±0.01 is over six of them.
    static Tensor Grey() => full([100, 1, 25, 40], 0.5);

    [Fact]
    public void Given_gaussian_noise_When_applied_twice_Then_values_stay_in_range_and_the_noise_is_new_each_time()
    {
        var generator = new Generator(1);
        var a = Corruptions.Gaussian(Grey(), 0.5, generator);
        var b = Corruptions.Gaussian(Grey(), 0.5, generator);
        Assert.True(a.min().item<float>() >= 0 && a.max().item<float>() <= 1);
        Assert.True(a.ne(b).any().item<bool>());
        // Clamping at 0 and 1 is symmetric about 0.5, so the mean stays 0.5.
        Assert.InRange(a.mean().item<float>(), 0.49, 0.51);
    }

    [Fact]
    public void Given_masking_and_salt_and_pepper_When_applied_Then_the_expected_fractions_change()
    {
        var masked = Corruptions.Masking(Grey(), 0.3, new Generator(2));
        Assert.InRange(masked.eq(0).to(ScalarType.Float32).mean().item<float>(), 0.29, 0.31);
        Assert.True(masked.eq(0).logical_or(masked.eq(0.5)).all().item<bool>());

        var salted = Corruptions.SaltAndPepper(Grey(), 0.2, new Generator(3));
        var changed = salted.ne(0.5);
        Assert.InRange(changed.to(ScalarType.Float32).mean().item<float>(), 0.19, 0.21);
        Assert.True(salted.masked_select(changed).eq(0).logical_or(salted.masked_select(changed).eq(1)).all().item<bool>());
        Assert.InRange(salted.eq(1).to(ScalarType.Float32).mean().item<float>(), 0.09, 0.11);
    }

    [Fact]
    public void Given_occlusion_When_applied_Then_each_image_loses_exactly_one_square()
    {
        var x = ones([6, 1, 28, 28]);
        var occluded = Corruptions.Occlude(x, 10, new Generator(4));
        for (int b = 0; b < 6; b++)
        {
            var zeros = occluded[b, 0].eq(0).nonzero();   // [100, 2] positions
            Assert.Equal(100, zeros.shape[0]);
            var rows = zeros[TensorIndex.Colon, 0];
            var cols = zeros[TensorIndex.Colon, 1];
            Assert.Equal(9, rows.max().item<long>() - rows.min().item<long>());
            Assert.Equal(9, cols.max().item<long>() - cols.min().item<long>());
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => Corruptions.Occlude(x, 29));
    }
}
