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

        // The code in bits (the first model, rounded to 2^b levels a dimension). Seeds 0 / 1 / 2: entropy 106.5 / 106.8 /
        // 106.5 bits at 4 bits a dimension and 139.2 / 139.5 / 139.3 at 5 ("about 107 ... 139"); the test error +7.9% /
        // +7.5% / +7.9% ("about 8%") and +1.7% / +1.8% / +1.8% ("under 2%"); at 6 bits +0.5% / +0.4% / +0.5% and at 8
        // +0.0% ("about half a percent or less": 0.8 leaves room for another machine's rounding). The entropy is never
        // above the stored size (math: log2 of 2^b levels is b). MSE after rounding 0.0149 / 0.0149 / 0.0147 at 4 bits and
        // 0.0141 / 0.0141 / 0.0139 at 5 ("about 0.014 to 0.015").
        Assert.Contains("the code as stored floats: 32 × 32 = 1,024 bits per image", stdout);
        double Entropy(int b) => Number(stdout, $@"{b} bits a dimension: stored +\d+ bits, entropy +(\d+\.\d) bits per image");
        double Worse(int b) => Number(stdout, $@"{b} bits a dimension: [^\n]*\(([-+]\d+\.\d)%\)");
        double Rounded(int b) => Number(stdout, $@"{b} bits a dimension: [^\n]*test MSE per pixel (\d\.\d+)");
        foreach (int b in new[] { 2, 3, 4, 5, 6, 8 })
            Assert.True(Entropy(b) <= 32 * b, $"{b} bits: entropy {Entropy(b)} above {32 * b}");
        Assert.InRange(Entropy(4), 100, 113);
        Assert.InRange(Entropy(5), 132, 146);
        Assert.InRange(Worse(4), 6, 10);
        Assert.InRange(Worse(5), 0.8, 2.0);
        Assert.InRange(Worse(6), -0.2, 0.8);
        Assert.InRange(Worse(8), -0.2, 0.8);
        foreach (int b in new[] { 4, 5 }) Assert.InRange(Rounded(b), 0.013, 0.016);
        // The lossless coders on the 1,000 test images of the subset (no randomness; the coders' libraries could round a
        // few bytes differently, so 3%): Deflate 3,590 alone and 3,476 in one stream, Brotli 3,035 ("about half of the
        // raw 6,272"; the summary's "about 3,000 to 3,600").
        Assert.Contains("raw: 784 × 8 = 6,272 bits per image", stdout);
        Assert.InRange(Number(stdout, @"Deflate: ([\d,]+) bits per image coded alone"), 3590 * 0.97, 3590 * 1.03);
        Assert.InRange(Number(stdout, @"coded alone, ([\d,]+) in one stream"), 3476 * 0.97, 3476 * 1.03);
        Assert.InRange(Number(stdout, @"Brotli: ([\d,]+) bits per image in one stream"), 3035 * 0.97, 3035 * 1.03);
        // "22 to 28 times the autoencoder's 139 or 107 bits": 28 / 28 / 28 and 22 / 22 / 22 on seeds 0 / 1 / 2.
        Assert.InRange(Number(stdout, @"the 4-bit code's entropy against Brotli: (\d+) times fewer"), 26, 30);
        Assert.InRange(Number(stdout, @"the 5-bit code's entropy against Brotli: (\d+) times fewer"), 20, 24);
        // "The decoder itself is 6.7 million bits ... would add 6,718 bits to each, more than the raw image": arithmetic.
        Assert.Contains("the decoder itself: 209,936 numbers, 6,717,952 bits as floats; sent with these 1,000 images alone, 6,718 bits per image", stdout);

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
