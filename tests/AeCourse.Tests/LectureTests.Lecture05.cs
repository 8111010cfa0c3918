using System.Globalization;
using System.Text.RegularExpressions;

namespace AeCourse.Tests;

public sealed partial class LectureTests
{
    [Fact]
    public void Given_lecture_05_When_run_quick_Then_the_vae_beats_the_baseline_samples_new_images_the_elbo_terms_order_as_theory_says_and_the_conv_vae_ties_with_fewer_parameters()
    {
        var stdout = Stdout(RunQuick("05-vae.ipynb"));

        // The floor: about half the test pixels are grey (49%) and a perfect reconstruction costs about 188 nats (187.8
        // on every seed: it depends on the embedded test images alone, so only rounding may move it).
        Assert.InRange(Number(stdout, @"strictly between 0 and 1: (\d+) ?%"), 45, 55);
        double floor = Number(stdout, @"perfect reconstruction \(xHat = x\): (\d+\.\d) nats");
        Assert.InRange(floor, 187.3, 188.3);

        // The last epoch: test close to train (about 266 against 265; measured 265.7 and 264.7 on seed 0, differences
        // of 1.0, 0.9 and 0.3 nats on seeds 0, 1, 2): within 3 nats.
        Assert.InRange(Number(stdout, @"train negative ELBO (\d+\.\d), test") - Number(stdout, @"train negative ELBO \d+\.\d, test (\d+\.\d)"), -3, 3);

        // The ELBO: the text says quick mode ends near 266 (negative ELBO) and 257 (importance-weighted, k = 100), a gap
        // of about 8 (measured 265.7, 257.4, 8.3 on seed 0; gaps 6.4 and 7.8 on seeds 1, 2); a 3% band around each value
        // allows for other CPUs' rounding over 400 steps, and 6 to 10.5 for the gap. The key claim: far below the
        // mean-image Bernoulli model (about 384; measured gap 118 nats, so 50 leaves room), and the k = 100 bound is the
        // tighter one. Above the floor: about 69 for the VAE (69.6; seeds 1, 2: 69.3, 69.9) and 196 for the mean image.
        double negElbo = Number(stdout, @"negative ELBO (\d+\.\d) \(distortion");
        double iwNll = Number(stdout, @"importance-weighted NLL \(k = 100\) (\d+\.\d)");
        double baseline = Number(stdout, @"mean-image Bernoulli model (\d+\.\d)");
        double rate = Number(stdout, @"test, nats per image: negative ELBO \d+\.\d \(distortion \d+\.\d \+ rate (\d+\.\d)\)");
        Assert.InRange(negElbo, 258, 274);
        Assert.InRange(iwNll, 249, 265);
        Assert.InRange(Number(stdout, @"\(k = 100\) \d+\.\d, gap (\d+\.\d)"), 6, 10.5);
        Assert.True(iwNll < negElbo, $"importance-weighted {iwNll} against the ELBO's {negElbo}");
        Assert.True(negElbo < baseline - 50, $"negative ELBO {negElbo} against the mean-image model's {baseline}");
        Assert.InRange(Number(stdout, @"above the floor of \d+\.\d: negative ELBO \d+\.\d, importance-weighted (\d+\.\d)"), 64, 75);
        Assert.InRange(baseline - floor, 190, 202);
        Assert.InRange(rate, 14, 17.5);   // "a rate of about 16" (15.6, 15.6, 15.9)

        // The Gaussian reading: summed squared error about 20 (19.6, 18.2, 19.3), so σ = 1 charges about 10 nats, less
        // than the rate — the claim that the KL would outweigh the reconstruction.
        double squaredError = Number(stdout, @"summed squared error of the reconstructions \(z = mu\): (\d+\.\d)");
        Assert.InRange(squaredError, 17, 23);
        Assert.True(squaredError / 2 < rate, $"half the squared error {squaredError / 2} against the rate {rate}");

        // Experiment 1, binarised training: both models on the same binary test images, within a nat or so (the text
        // quotes 255.7 and 256.3; negative ELBOs 264.2 and 264.0; differences 0.6, 1.6, 1.2 on seeds 0, 1, 2), about 256.
        var bits = Regex.Match(stdout, @"trained on grey pixels: negative ELBO (\d+\.\d), importance-weighted (\d+\.\d); trained on binarised images: negative ELBO (\d+\.\d), importance-weighted (\d+\.\d)");
        Assert.True(bits.Success, "the binarised experiment's bounds are printed");
        double Bit(int group) => double.Parse(bits.Groups[group].Value, CultureInfo.InvariantCulture);
        Assert.True(Math.Abs(Bit(4) - Bit(2)) < 2.5, $"binarised {Bit(4)} against grey-trained {Bit(2)}");
        Assert.True(Math.Abs(Bit(3) - Bit(1)) < 2.5, $"negative ELBOs: binarised {Bit(3)} against grey-trained {Bit(1)}");
        Assert.InRange(Bit(4), 249, 262);

        // Why the autoencoder cannot be sampled: its codes are far from N(0, I) (measured: means -2.2 to 4.7, deviations
        // 1.5 to 3.8); the VAE's are near it (means within ±0.4, deviations 0.9 to 1.4) — bands of about twice the
        // measured distance from N(0, I) for the VAE, and half of it for the autoencoder.
        var (aeLow, aeHigh, aeStdLow, aeStdHigh) = CodeStatistics(stdout, "AE");
        var (vaeLow, vaeHigh, vaeStdLow, vaeStdHigh) = CodeStatistics(stdout, "VAE");
        Assert.True(Math.Max(-aeLow, aeHigh) > 1 && aeStdHigh > 1.5, $"AE codes: means {aeLow} to {aeHigh}, deviations {aeStdLow} to {aeStdHigh}");
        Assert.True(Math.Max(-vaeLow, vaeHigh) < 0.8, $"VAE code means {vaeLow} to {vaeHigh}");
        Assert.True(vaeStdLow > 0.7 && vaeStdHigh < 1.8, $"VAE code deviations {vaeStdLow} to {vaeStdHigh}");
        // Correlations: the AE's up to 0.9 (0.92), the VAE's 0.6 at most (0.61): bands of ±0.05 around each.
        var correlations = Regex.Matches(stdout, @"largest correlation between two dimensions: (\d\.\d+)").Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToArray();
        Assert.InRange(correlations[0], 0.85, 0.97);
        Assert.InRange(correlations[1], 0.5, 0.66);

        // Samples are not copies. In the decoder's terms a memorised training image lies at 0 from the training
        // reconstructions; the samples lie farther than a new test image's reconstruction does (measured 2.24 against
        // 1.06; 1.5 times leaves room). In pixels they are well away from 0 too (measured 3.5; a copy is 0).
        double testRecon = Number(stdout, @"test reconstructions (\d+\.\d+)");
        double samplesRecon = Number(stdout, @"reconstruction: test reconstructions \d+\.\d+, VAE samples (\d+\.\d+)");
        double samplesPixels = Number(stdout, @"training image: test images \d+\.\d+, VAE samples (\d+\.\d+)");
        Assert.True(samplesRecon > 1.5 * testRecon, $"samples {samplesRecon} against test reconstructions {testRecon}");
        Assert.True(samplesPixels > 2, $"samples lie {samplesPixels} from the nearest training image");
        // In quick mode the samples are closer to the training set in pixels than test images are (3.5 against 4.2).
        Assert.True(samplesPixels < Number(stdout, @"training image: test images (\d+\.\d+)"), "samples closer than test images, in pixels");

        // Two dimensions: a worse ELBO, about 277 against 266 (277.0, 276.9, 276.8 on seeds 0, 1, 2); the test codes'
        // nearest neighbour shares its class about 55% of the time (54%; 49% on seeds 1, 2) and their deviations lie
        // near 1.6 (1.52 to 1.72).
        double negElbo2 = Number(stdout, @"latentDim 2, test: negative ELBO (\d+\.\d)");
        Assert.InRange(negElbo2, 270, 284);
        Assert.True(negElbo2 > negElbo + 5, $"latentDim 2: {negElbo2} against {negElbo}");
        Assert.InRange(Number(stdout, @"nearest neighbour of the same class (\d+) ?%"), 45, 65);
        Assert.True(Number(stdout, @"test mu, per dimension: .*standard deviation (\d\.\d+) to") > 1.3 && Number(stdout, @"test mu, per dimension: .*standard deviation \d\.\d+ to (\d\.\d+)") < 1.9, "the 2-D codes' spread");

        // Latent arithmetic: boots + (sneaker − boot) look like sneakers (measured 9 of 10; reconstructed boots 0).
        Assert.True(Number(stdout, @"\(sneaker − boot\) (\d+)/10") >= 6, "most moved boots are nearest to a sneaker");
        Assert.True(Number(stdout, @"reconstructed boots (\d+)/10") <= 2, "the reconstructed boots stay boots");

        // The ELBO taken apart. KL only: rate ≈ 0 (measured 0.0; the minimum is exactly 0) and distortion the mean
        // image's (measured within 0.6%; 2% allowed). Reconstruction only: the lowest distortion and the largest rate
        // (measured 213 against 16: at least 5 times). Both: the lowest negative ELBO.
        var (reconRate, reconDistortion) = Terms(stdout, "reconstruction only");
        var (klRate, klDistortion) = Terms(stdout, "KL only");
        var (bothRate, bothDistortion) = Terms(stdout, "both");
        Assert.True(klRate < 0.5, $"KL only: rate {klRate}");
        Assert.True(Math.Abs(klDistortion - baseline) < 0.02 * baseline, $"KL only: distortion {klDistortion} against the mean image's {baseline}");
        Assert.True(reconDistortion < bothDistortion && bothDistortion < klDistortion, $"distortions {reconDistortion}, {bothDistortion}, {klDistortion}");
        Assert.True(reconRate > 5 * bothRate && bothRate > klRate, $"rates {reconRate}, {bothRate}, {klRate}");
        // The quoted numbers: reconstruction only about 235 and 212 (235.2, 211.9; seeds 1, 2: 212.9, 205.6), negative
        // ELBOs 266, 386, 447: bands of 3% on distortions and 10% on the large rate.
        Assert.InRange(reconDistortion, 228, 242);
        Assert.InRange(reconRate, 190, 233);
        Assert.InRange(klDistortion, 380, 392);
        Assert.True(bothRate + bothDistortion < Math.Min(reconRate + reconDistortion, klRate + klDistortion), "both terms give the lowest negative ELBO");

        // The convolutional VAE beside the dense one (same latentDim, loss, steps and seed). Measured on seeds 0, 1, 2,
        // dense then conv: importance-weighted NLL 257.4/257.1/257.7 and 256.8/259.3/258.5 (conv − dense −0.6, +2.2,
        // +0.8: "a tie", within about 2 nats; 4 asserted); rate 15.6/15.6/15.9 and 17.3/18.6/17.4 ("more rate on every
        // seed", 1.5 to 3.0 more; 0.5 asserted); distortion 250.1/247.9/249.6 and 245.7/247.7/247.4 ("no higher", 0.2 to
        // 4.4 lower; at most 1 above asserted); seconds per epoch 0.61/1.36/0.99 and 2.98/3.39/3.38 on two shared cores
        // ("three to five times", 2.5 to 4.9 times; 1.5 asserted, as other machines time differently).
        var dense = ConvComparison(stdout, "dense VAE");
        var conv = ConvComparison(stdout, "conv VAE");
        // "Almost six times fewer" parameters: the architectures, counted by hand. Dense: 784·400 + 400, two heads
        // 400·20 + 20, 20·400 + 400, 400·784 + 784. Conv (16 channels): 4×4 convolutions 1 → 16 → 32, two heads from 32·49
        // features, a linear 20 → 32·49, transposed convolutions 32 → 16 → 1.
        Assert.Equal(784 * 400 + 400 + 2 * (400 * 20 + 20) + 20 * 400 + 400 + 400 * 784 + 784, dense.Parameters);
        Assert.Equal(16 * 16 + 16 + 16 * 32 * 16 + 32 + 2 * (32 * 49 * 20 + 20) + 20 * 32 * 49 + 32 * 49 + 32 * 16 * 16 + 16 + 16 * 16 + 1, conv.Parameters);
        Assert.InRange(dense.Parameters / (double)conv.Parameters, 5.5, 6);
        Assert.Equal(negElbo, dense.Distortion + dense.Rate, 0.15);   // the dense line repeats the headline's numbers
        Assert.Equal(iwNll, dense.Iw, 0.05);
        Assert.InRange(conv.Iw, 249, 266);   // the dense model's band above
        Assert.True(conv.Iw < conv.Distortion + conv.Rate, $"conv: importance-weighted {conv.Iw} against the negative ELBO {conv.Distortion + conv.Rate}");
        Assert.InRange(conv.Iw - dense.Iw, -4, 4);
        Assert.True(conv.Rate > dense.Rate + 0.5, $"rates: conv {conv.Rate}, dense {dense.Rate}");
        Assert.True(conv.Distortion < dense.Distortion + 1, $"distortions: conv {conv.Distortion}, dense {dense.Distortion}");
        Assert.True(conv.Seconds > 1.5 * dense.Seconds, $"seconds per epoch: conv {conv.Seconds}, dense {dense.Seconds}");
    }

    static (long Parameters, double Distortion, double Rate, double Iw, double Seconds) ConvComparison(string stdout, string model)
    {
        var match = Regex.Match(stdout, $@"{model}: ([\d,]+) parameters; test negative ELBO \d+\.\d \(distortion (\d+\.\d) \+ rate (\d+\.\d)\), importance-weighted NLL (\d+\.\d) nats per image; (\d+\.\d+) s per epoch");
        Assert.True(match.Success, $"the {model} line of the comparison is printed");
        double At(int group) => double.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture);
        return (long.Parse(match.Groups[1].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture), At(2), At(3), At(4), At(5));
    }

    static (double Low, double High, double StdLow, double StdHigh) CodeStatistics(string stdout, string model)
    {
        var match = Regex.Match(stdout, $@"{model} codes, per dimension: mean (-?\d+\.\d+) to (-?\d+\.\d+), standard deviation (\d+\.\d+) to (\d+\.\d+)");
        Assert.True(match.Success, $"{model} code statistics not printed");
        double At(int group) => double.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture);
        return (At(1), At(2), At(3), At(4));
    }

    static (double Rate, double Distortion) Terms(string stdout, string objective) =>
        (Number(stdout, $@"{objective} *: rate +(\d+\.\d)"), Number(stdout, $@"{objective} *: rate +\d+\.\d, distortion +(\d+\.\d)"));
}
