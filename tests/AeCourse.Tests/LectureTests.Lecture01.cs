using AeCourse.Tests.Support;
using static AeCourse.Tests.Support.NotebookCorpus;

namespace AeCourse.Tests;

public sealed partial class LectureTests
{
    [Fact]
    public void Given_lecture_01_When_run_quick_Then_the_linear_autoencoder_lands_on_pca_and_the_numbers_match_the_text()
    {
        var cells = RunQuick("01-autoencoder.ipynb");
        var stdout = Stdout(cells);
        var bundles = cells.SelectMany(Outputs).Where(o => o["data"] is not null).Select(o => o["data"]!.AsObject()).ToList();
        Assert.True(bundles.Count(b => b.ContainsKey("image/png")) >= 4, "reconstructions at three epochs of training, the sweep's rows");
        Assert.Contains(bundles, b => b["text/html"]?.GetValue<string>().Contains("Plotly.newPlot") == true);

        // The text: "in quick mode near 0.021" (the dense autoencoder's test MSE per pixel after 10 epochs on the subset).
        var trained = bundles.Select(b => b["text/plain"]!.GetValue<string>()).First(t => t.Contains("epoch 10/10"));
        Assert.InRange(Number(trained, @"validation (\d\.\d+)"), 0.018, 0.024);
        // The key claim, at quick scale: the linear autoencoder within a few percent of PCA, and not below it (PCA is
        // the floor; 0.1% below would be round-off).
        double gap = Number(stdout, @"linear autoencoder \d\.\d+ \(([-+]\d+\.\d)%\)");
        Assert.InRange(gap, -0.1, 5);
        // The sweep: two numbers clearly worse than eight; the overcomplete model lowest.
        double Sweep(int size) => Number(stdout, $@"latentDim +{size}: test MSE per pixel (\d\.\d+)");
        Assert.True(Sweep(2) > 1.3 * Sweep(8), $"z 2: {Sweep(2)}, z 8: {Sweep(8)}");
        Assert.True(new[] { 2, 8, 32, 128 }.All(size => Sweep(1024) < Sweep(size)), "the overcomplete model has the lowest error");
        // "About 82% of the variance lives in 32 of the 784 directions."
        Assert.InRange(Number(stdout, @"keep (\d+\.\d) ?%"), 80, 84);
    }
}
