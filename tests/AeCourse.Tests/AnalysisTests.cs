using AeCourse.Data;
using AeCourse.Metrics;
using AeCourse.Runtime;
using AeCourse.Visualization;
using SkiaSharp;
using static TorchSharp.torch;

namespace AeCourse.Tests;

public sealed class AnalysisTests
{
    public AnalysisTests() => Setup.Initialize(seed: 0, device: "cpu", quiet: true);

    [Fact]
    public void Given_three_well_separated_clusters_When_embedded_with_tsne_Then_each_point_neighbours_its_own_cluster()
    {
        // 3 clusters of 50 points in 10-D, centres 20 apart, unit spread: any faithful 2-D map keeps them apart.
        var generator = new Generator(21);
        var centres = randn([3, 10], dtype: ScalarType.Float64, generator: generator) * (20 / Math.Sqrt(2 * 10));
        var labels = arange(3).repeat_interleave(50);
        var data = centres.index_select(0, labels) + randn([150, 10], dtype: ScalarType.Float64, generator: generator);

        var y = Tsne.Embed(data, perplexity: 15, steps: 500).to(ScalarType.Float64);

        Assert.Equal([150L, 2L], y.shape);
        var squared = (y.unsqueeze(1) - y.unsqueeze(0)).pow(2).sum(2) + eye(150, dtype: ScalarType.Float64) * 1e12;
        var nearest = squared.argmin(1);
        var agreement = labels.index_select(0, nearest).eq(labels).to(ScalarType.Float64).mean().item<double>();
        Assert.Equal(1.0, agreement);   // every point's nearest neighbour in 2-D is from its cluster
    }

    [Fact]
    public void Given_known_scores_When_roc_auc_is_computed_Then_it_matches_the_pairwise_count()
    {
        // Pairs (positive, negative): (0.35 vs 0.1) win, (0.35 vs 0.4) lose, (0.8 vs both) win: 3 of 4.
        Assert.Equal(0.75, Ranking.RocAuc([0.1, 0.4, 0.35, 0.8], [false, false, true, true]), 12);
        Assert.Equal(1.0, Ranking.RocAuc([0.1, 0.2, 0.9], [false, false, true]), 12);
        Assert.Equal(0.5, Ranking.RocAuc([0.3, 0.3, 0.3, 0.3], [false, true, false, true]), 12);   // ties count half
        Assert.Throws<ArgumentException>(() => Ranking.RocAuc([0.1, 0.2], [true, true]));
    }

    [Fact]
    public void Given_features_that_name_the_class_or_nothing_When_probed_Then_accuracy_is_one_or_the_share_of_one_class()
    {
        // 10 classes, 20 train and 10 test images each. Features = the one-hot label: a linear map separates them, so
        // accuracy is exactly 1. Constant features: every test image gets the same class, right for 10 of 100 = 0.1.
        var names = Enumerable.Range(0, 10).Select(c => $"class {c}").ToList();
        using var train = new LabeledImages(rand(200, 1, 28, 28), arange(10).repeat(20), names);
        using var test = new LabeledImages(rand(100, 1, 28, 28), arange(10).repeat(10), names);
        var oneHotOf = (Tensor x) => nn.functional.one_hot(LabelsOf(x, train, test), 10).to(ScalarType.Float32);

        var informative = LinearProbeAccuracy.Evaluate(oneHotOf, train, test, labelsPerClass: 5);
        Assert.Equal(1.0, informative.Accuracy, 12);
        Assert.Equal((5, 10L), (informative.LabelsPerClass, informative.FeatureDim));
        var blind = LinearProbeAccuracy.Evaluate(x => ones(x.shape[0], 3), train, test, labelsPerClass: 5);
        Assert.Equal(0.1, blind.Accuracy, 12);
        Assert.Throws<ArgumentException>(() => LinearProbeAccuracy.Evaluate(oneHotOf, train, test, labelsPerClass: 21));
    }

    [Fact]
    public void Given_points_in_a_line_When_neighbours_are_compared_Then_the_leave_one_out_accuracy_is_counted_exactly()
    {
        // Points 0, 1, 2, 10, 11, 30 with labels a a b b b a: nearest neighbours 1, 0 (tie with 2 broken to the lower
        // index), 1, 11, 10, 11 → agreements yes, yes, no, yes, yes, no = 4 of 6.
        var points = tensor(new double[] { 0, 1, 2, 10, 11, 30 }).unsqueeze(1);
        var labels = tensor(new long[] { 0, 0, 1, 1, 1, 0 });
        Assert.Equal(4.0 / 6, NearestNeighbour.LeaveOneOutAccuracy(points, labels), 12);
        Assert.Throws<ArgumentException>(() => NearestNeighbour.LeaveOneOutAccuracy(points, labels.narrow(0, 0, 5)));
    }

    /// <summary>The labels of images taken from <paramref name="train"/> or <paramref name="test"/>, found by their pixels.</summary>
    static Tensor LabelsOf(Tensor x, LabeledImages train, LabeledImages test)
    {
        var all = cat([train.X, test.X], 0).flatten(1);
        var labels = cat([train.Y, test.Y], 0);
        var nearest = cdist(x.flatten(1), all).argmin(1);
        return labels.index_select(0, nearest);
    }

    [Fact]
    public void Given_three_tiny_images_When_gridded_Then_the_png_has_the_computed_size_and_pixels()
    {
        // Images of 2×2 pixels with values 0, 0.5 and 1 (all pixels alike), 2 per row, scale 1, padding 1:
        // width = 2·(2+1)+1 = 7, height = 2 rows·(2+1)+1 = 7; the padding and the empty slot stay white.
        var images = stack([zeros([1, 2, 2]), full([1, 2, 2], 0.5), ones([1, 2, 2])]);
        var png = ImageGrid.ToPng(images, columns: 2, scale: 1, padding: 1);
        using var bitmap = SKBitmap.Decode(png);

        Assert.Equal(7, bitmap.Width);
        Assert.Equal(7, bitmap.Height);
        Assert.Equal(255, bitmap.GetPixel(0, 0).Red);       // padding
        Assert.Equal(0, bitmap.GetPixel(1, 1).Red);         // image 0, black
        Assert.Equal(128, bitmap.GetPixel(4, 2).Red);       // image 1: round(0.5·255) = 128
        Assert.Equal(255, bitmap.GetPixel(2, 5).Red);       // image 2, white, second row
        Assert.Equal(255, bitmap.GetPixel(5, 5).Red);       // empty slot: white ground
        Assert.Equal(bitmap.GetPixel(4, 2).Red, bitmap.GetPixel(4, 2).Green);   // grey, not colour
    }
}

public sealed class DistributionMetricTests
{
    public DistributionMetricTests() => Setup.Initialize(seed: 0, device: "cpu", quiet: true);

    [Fact]
    public void Given_diagonal_gaussians_When_the_frechet_distance_is_computed_Then_it_is_the_closed_form()
    {
        // For diagonal Σ the matrix square roots are elementwise: d = ‖μ₁ − μ₂‖² + Σ_i (σ₁ᵢ − σ₂ᵢ)².
        var mu1 = tensor(new double[] { 0, 1, 2 });
        var mu2 = tensor(new double[] { 1, 1, 0 });
        var sd1 = tensor(new double[] { 1, 2, 3 });
        var sd2 = tensor(new double[] { 2, 2, 1 });
        double expected = 1 + 0 + 4 + (1 + 0 + 4);
        Assert.Equal(expected, FrechetDistance.FromMoments(mu1, diag(sd1.pow(2)), mu2, diag(sd2.pow(2))), 9);
    }

    [Fact]
    public void Given_feature_sets_When_compared_Then_identical_sets_are_at_zero_and_a_shift_adds_its_square()
    {
        var a = randn([400, 6], dtype: ScalarType.Float64, generator: new Generator(1)) * 0.5;
        Assert.Equal(0, FrechetDistance.Between(a, a), 8);
        // Shifting every feature vector by s moves only the mean: the distance is ‖s‖² exactly.
        var shift = tensor(new double[] { 1, 0, 0, 2, 0, 0 });
        Assert.Equal(5, FrechetDistance.Between(a, a + shift), 8);
    }

    [Fact]
    public void Given_posterior_means_When_counting_active_units_Then_only_varying_dimensions_count()
    {
        var generator = new Generator(2);
        // Dimensions 0 and 2 vary across inputs (variance 1 and 0.25); dimension 1 is collapsed (variance 1e-4).
        var mu = randn([1000, 3], dtype: ScalarType.Float64, generator: generator) * tensor(new double[] { 1, 0.01, 0.5 });
        Assert.Equal(2, LatentStatistics.ActiveUnits(mu));
        var kl = LatentStatistics.KlPerDimension(zeros([5, 3]), zeros([5, 3]));
        Assert.All(kl.data<float>().ToArray(), v => Assert.Equal(0f, v));   // the prior itself: no KL
        Assert.Equal([2, 0, 1], LatentStatistics.LabelHistogram(tensor(new long[] { 0, 2, 0 }), 3));
    }
}
