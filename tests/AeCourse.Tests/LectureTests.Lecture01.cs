using AeCourse.Tests.Support;
using static AeCourse.Tests.Support.NotebookCorpus;

namespace AeCourse.Tests;

public sealed partial class LectureTests
{
    /// <summary>
    /// Every result the text of lecture 01 states, against what the quick run prints. The ranges come from quick runs on
    /// seeds 0, 1 and 2 (two CPU cores; the values per seed are in the comments) with a margin for another machine's
    /// rounding; the test itself runs seed 0.
    /// </summary>
    [Fact]
    public void Given_lecture_01_When_run_quick_Then_the_numbers_it_prints_back_every_claim_of_its_text()
    {
        var cells = RunQuick("01-autoencoder.ipynb");
        var stdout = Stdout(cells);
        var bundles = cells.SelectMany(Outputs).Where(o => o["data"] is not null).Select(o => o["data"]!.AsObject()).ToList();
        Assert.True(bundles.Count(b => b.ContainsKey("image/png")) >= 4, "reconstructions at three epochs of training, the sweep's rows");
        Assert.Contains(bundles, b => b["text/html"]?.GetValue<string>().Contains("Plotly.newPlot") == true);

        // "in quick mode the first dense model trains four times epochs"; the sweep keeps 10.
        Assert.Contains("the first dense autoencoder trains 40 epochs, the sweep's models 10 each", stdout);
        // "the test MSE ends near 0.014 after 40 epochs, a little above the training MSE (near 0.013)": test 0.0139 /
        // 0.0138 / 0.0136, train 0.0129 / 0.0129 / 0.0127 on seeds 0 / 1 / 2 (1,000 training images, 100 a class).
        double denseTrain = Number(stdout, @"dense autoencoder, 40 epochs: MSE per pixel (\d\.\d+) on 1,000 training images");
        double denseTest = Number(stdout, @"1,000 training images, (\d\.\d+) on the test images");
        Assert.InRange(denseTest, 0.0125, 0.0155);
        Assert.InRange(denseTrain, 0.0115, 0.0145);
        Assert.True(denseTrain < denseTest, $"train {denseTrain} should be below test {denseTest}");
        // "the mean training image ... (printed: about 0.087)": 0.0872, no randomness involved.
        Assert.InRange(Number(stdout, @"reconstruction: test MSE per pixel (\d\.\d+)"), 0.085, 0.089);

        // The sweep (10 epochs each). "drops sharply from 2 to 8 numbers (about 0.034 → 0.021)": 0.0347 / 0.0348 / 0.0337
        // and 0.0206 / 0.0219 / 0.0206. "then hardly moves up to 128": 32 and 128 within 0.0206–0.0203, 0.0207–0.0202,
        // 0.0203–0.0204, at most 8% from 8's.
        double Sweep(int size) => Number(stdout, $@"latentDim +{size}: test MSE per pixel (\d\.\d+)");
        Assert.InRange(Sweep(2), 0.031, 0.038);
        Assert.InRange(Sweep(8), 0.019, 0.023);
        Assert.True(Sweep(2) > 1.4 * Sweep(8), $"z 2: {Sweep(2)}, z 8: {Sweep(8)}");   // 1.68 / 1.59 / 1.64
        foreach (int size in new[] { 32, 128 })
            Assert.InRange(Sweep(size) / Sweep(8), 0.88, 1.05);
        // "The z: 32 model ... about 0.021 against 0.014": 1.48 / 1.50 / 1.49 times the 40-epoch model's error.
        Assert.True(Sweep(32) > 1.3 * denseTest, $"z 32 after 10 epochs: {Sweep(32)}; after 40: {denseTest}");
        // "The overcomplete model ... goes lowest (quick mode: about 0.015 to 0.017)": 0.0155 / 0.0172 / 0.0152.
        Assert.True(new[] { 2, 8, 32, 128 }.All(size => Sweep(1024) < Sweep(size)), "the overcomplete model has the lowest error");
        Assert.InRange(Sweep(1024), 0.014, 0.018);

        // The headline. "the linear autoencoder lands a few percent above PCA (+3.5%, +2.1%, +1.6%), never below it"
        // (0.1% below would be round-off); the settings of both models are printed.
        double pca = Number(stdout, @"test MSE per pixel: PCA (\d\.\d+)");
        Assert.InRange(pca, 0.0153, 0.0155);                                                 // 0.01538, deterministic
        Assert.InRange(Number(stdout, @"linear autoencoder \d\.\d+ \(([-+]\d+\.\d)% against PCA; 60 epochs, lr 3e-3\)"), -0.1, 5);
        // "the dense autoencoder is about 10% below PCA (0.0139 against 0.0154)": -9.9% / -10.0% / -11.4%.
        Assert.InRange(Number(stdout, @"dense autoencoder \d\.\d+ \(([-+]\d+\.\d)% against PCA; 40 epochs, lr 1e-3\)"), -14, -7);
        // "stopped after 10 epochs it is not — the sweep's z: 32 model printed about 0.021, a third above PCA": 1.34 / 1.35 / 1.32.
        Assert.InRange(Sweep(32) / pca, 1.2, 1.5);

        // The angles. "components 1 to 25–28 lie within 10°; the last eight are on average 20° to 24° off": 28 / 27 / 25
        // components and 24° / 20° / 20°.
        Assert.InRange(Number(stdout, @"PCA components 1–(\d+) lie within 10°"), 22, 31);
        Assert.InRange(Number(stdout, @"components 25–32 are (\d+)° off on average"), 14, 30);
        // "along PCA's 32nd direction the data vary hardly more than along the 33rd (0.183 against 0.181)": PCA, no
        // randomness.
        Assert.Contains("variance along PCA component 1: 19.48, along 32: 0.183, along 33: 0.181", stdout);
        // "About 82% of the variance lives in 32 of the 784 directions (printed above: 82.6% on the subset)."
        Assert.Equal(82.6, Number(stdout, @"keep (\d+\.\d) ?%"));

        // Experiment 1: the tied model within 5% of PCA; "the reference answer lands 1.3–1.4% above PCA on seeds 0 to 2"
        // (+1.3% / +1.4% / +1.4%), with "25,904 weights against the untied model's 50,992".
        Assert.InRange(Number(stdout, @"tied linear autoencoder: test MSE per pixel \d\.\d+ \(([-+]\d+\.\d)% against PCA\)"), 0.8, 2.0);
        Assert.Contains("25,904 parameters against the untied model's 50,992", stdout);
    }
}
