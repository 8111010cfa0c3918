using System.Globalization;
using System.Text.RegularExpressions;

namespace AeCourse.Tests;

public sealed partial class LectureTests
{
    [Fact]
    public void Given_lecture_07_When_run_quick_Then_the_failing_gan_collapses_the_scores_rank_the_runs_and_the_conditional_and_paired_gans_deliver()
    {
        var stdout = Stdout(RunQuick("07-gan-preview.ipynb"));
        double Entropy(string run) => Number(stdout, $@"{run}: label histogram [\d ]+; entropy (\d\.\d+) nats");
        double Top(string run) => Number(stdout, $@"{run}: label histogram [\d ]+; entropy \d\.\d+ nats, most common class (\d+\.\d) %");
        string TopClass(string run) => Regex.Match(stdout, $@"{run}: label histogram [\d ]+; entropy \d\.\d+ nats, most common class \d+\.\d % \(([^)]+)\)").Groups[1].Value;
        int[] Histogram(string run) => Regex.Match(stdout, $@"{run}: label histogram ([\d ]+);").Groups[1].Value.Split(' ').Select(int.Parse).ToArray();
        double Frechet(string run) => Number(stdout, $@"domain Fréchet distance, {run}: (\d+\.\d)");
        double Score(string run) => Number(stdout, $@"Inception Score \(the kit's classifier\), {run}: (\d+\.\d+)");
        double Sure(string run) => Number(stdout, $@"{run}: mean top probability (\d\.\d+)");

        // "Where D rejects the image, the minimax loss gives the generator a gradient of −0.0067 and the non-saturating
        // loss −0.9933; where D is fooled, the other way round": σ(5) = 0.99331, exact to the printed digits.
        Assert.Contains("logit -5: D = 0.0067; gradient of the minimax loss -0.0067, of the non-saturating loss -0.9933", stdout);
        Assert.Contains("logit  5: D = 0.9933; gradient of the minimax loss -0.9933, of the non-saturating loss -0.0067", stdout);
        // "A certain discriminator pays 2.0 nats ...; at ln 9 it pays the entropy of 0.9, 0.325 nats": arithmetic.
        Assert.Contains("smoothed loss of a certain D: 2.000 nats; at logit ln 9 (D = 0.9): 0.325 nats = the entropy of 0.9, 0.325", stdout);

        // A discriminator alone against an untrained generator's images: the cross-entropy's minimum is the expected
        // target: 1 and 0 with plain targets, 0.9 and 0 with one-sided smoothing 0.1, 0.9 and 0.1 with labels flipped at
        // p = 0.1. Measured on seeds 0, 1, 2: 0.999/0.001, 0.899/0.001, 0.889/0.109 (seed 0); 0.893/0.113 and
        // 0.889/0.098 with label noise on seeds 1 and 2. The ±0.04 allows for the flips: a batch of 64 flips a share with
        // standard deviation √(0.1 · 0.9 / 64) = 0.0375, which D partly follows; averaged over the 20 batches read,
        // 0.008, so 0.04 is about five of those.
        double Real(string targets) => Number(stdout, $@"{targets} *: D\(x\) = (\d\.\d+) on real");
        double Fake(string targets) => Number(stdout, $@"{targets} *: D\(x\) = \d\.\d+ on real images, D\(G\(z\)\) = (\d\.\d+)");
        Assert.True(Real("plain targets") > 0.98 && Fake("plain targets") < 0.02, $"plain: {Real("plain targets")}, {Fake("plain targets")}");
        Assert.InRange(Real("smoothing 0.1"), 0.86, 0.94);
        Assert.True(Fake("smoothing 0.1") < 0.02, $"smoothing leaves the generated side at 0: {Fake("smoothing 0.1")}");
        Assert.InRange(Real("label noise 0.1"), 0.86, 0.94);
        Assert.InRange(Fake("label noise 0.1"), 0.06, 0.14);

        // "In quick mode, 0.80 (seeds 1 and 2: 0.77 and 0.78)": measured 0.7990 on seed 0.
        Assert.InRange(Number(stdout, @"classifier test accuracy (\d\.\d+)"), 0.78, 0.82);

        // The losses, per epoch (quick mode; measured on seeds 0, 1 and 2, ranges over all twelve epochs):
        // healthy D 0.447 to 0.841, G 1.874 to 3.513 (first epochs 3.49, 3.51, 2.96); failing D 1.668 to 2.089, G 0.740
        // to 0.998. The text: the healthy D's loss rises from about 0.45 to 0.7 or 0.8 and G's falls to about 2.0; the
        // failing D's stays above 2 ln 2 = 1.386 in every epoch (the smallest, 1.668, is 0.28 above it) and G's below
        // the healthy run's in every epoch (the closest pair, epoch 1 of seed 2, 0.945 against 2.963).
        var losses = Regex.Matches(stdout, @"(healthy|failing) GAN, epoch (\d): D loss (\d\.\d+), G loss (\d\.\d+) nats")
            .Select(m => (Run: m.Groups[1].Value, Epoch: int.Parse(m.Groups[2].Value), D: D(m, 3), G: D(m, 4))).ToList();
        var healthyLosses = losses.Where(l => l.Run == "healthy").ToList();
        var failingLosses = losses.Where(l => l.Run == "failing").ToList();
        Assert.Equal(4, healthyLosses.Count);
        Assert.Equal(4, failingLosses.Count);
        Assert.All(healthyLosses, l => Assert.True(l.D is > 0.35 and < 0.95 && l.G is > 1.7 and < 3.8, $"healthy epoch {l.Epoch}: D {l.D}, G {l.G}"));
        Assert.True(healthyLosses[0].D < healthyLosses[^1].D && healthyLosses[0].G > healthyLosses[^1].G, "the healthy D's loss rises and G's falls");
        Assert.All(failingLosses, l => Assert.True(l.D > 2 * Math.Log(2) + 0.15 && l.D < 2.2 && l.G is > 0.65 and < 1.05, $"failing epoch {l.Epoch}: D {l.D}, G {l.G}"));
        Assert.All(failingLosses.Zip(healthyLosses), p => Assert.True(p.First.G < p.Second.G, $"epoch {p.First.Epoch}: G failing {p.First.G}, healthy {p.Second.G}"));

        // The histograms (quick mode, seed 0 — the test's): failing 73.4 % in one class, Sandal, six classes empty,
        // entropy 0.623 nats; healthy every class used, 1.900 nats, most common 26.4 %, also Sandal. On seeds 1 and 2:
        // failing 0.665 and 1.204 nats (top 74.7 % and 55.2 %), healthy 2.039 and 2.096 (top 25.3 % and 19.6 %). The
        // ranges below hold the text's rounded numbers (0.62, 1.90, 73 %, 26 %) to their last digit, ±0.02 nats and ±1.5
        // points for a run on another machine's float arithmetic. A third machine of the same kind, whose processor has
        // AVX-512 (so oneDNN picks other kernels and sums in another order), collapsed onto the same class less far:
        // failing 0.697 nats, 68.0 %, six classes empty; healthy 1.910 nats, 27.8 %. The text gives both machines'
        // numbers as ranges (0.61 to 0.70 nats, 68 to 73 %; 1.90 to 1.91, 26 to 28 %), checked here with the same margins.
        Assert.InRange(Entropy("failing"), 0.59, 0.72);
        Assert.InRange(Entropy("healthy"), 1.88, 1.93);
        Assert.InRange(Top("failing"), 66.5, 75);
        Assert.InRange(Top("healthy"), 24.5, 29.5);
        // Six classes empty on one machine, seven on another of the same kind (a class with 8 samples, 0.614 nats, 73.5 %):
        // the last bits of the float sums decide whether a rare class gets a handful of samples.
        Assert.InRange(Histogram("failing").Count(c => c == 0), 6, 7);
        Assert.DoesNotContain(0, Histogram("healthy"));
        Assert.Equal("Sandal", TopClass("failing"));
        Assert.Equal(TopClass("failing"), TopClass("healthy"));

        // The classifier's confidence: mean top probability, seeds 0, 1, 2: failing 0.780, 0.703, 0.624; healthy 0.637,
        // 0.594, 0.608; test images 0.759 on seed 0. "As sure of the failing run's dots as of the healthy run's samples,
        // or surer; on seed 0 surer even than of the test images."
        Assert.True(Sure("failing GAN") > Sure("healthy GAN") && Sure("failing GAN") > Sure("test images"),
            $"failing {Sure("failing GAN")}, healthy {Sure("healthy GAN")}, test {Sure("test images")}");
        // The classifier score (Experiment 1), seeds 0, 1, 2: test images 5.29, 5.38, 5.27; healthy 2.94, 2.88, 2.99;
        // failing 1.41, 1.35, 2.04 (1.49 for seed 0 on the machine with AVX-512). The text says "about 5.3", "2.9" and
        // "1.4 to 1.5" for seed 0: ±0.15 around those.
        Assert.InRange(Score("test images"), 5.15, 5.45);
        Assert.InRange(Score("healthy GAN"), 2.8, 3.1);
        Assert.InRange(Score("failing GAN"), 1.25, 1.65);

        // The domain Fréchet distance: seed 0 measured training images 2.0, healthy GAN 61.6, failing 500.5, VAE 459.1;
        // the text: "about 62", "about 500", "about 2.0", "about 460". A GAN's run moves by several percent with the
        // float arithmetic of another machine (see the text on PyTorch's 4 % gap), so ±15 % on the GAN numbers.
        Assert.InRange(Frechet("training images"), 1.5, 2.5);
        Assert.InRange(Frechet("healthy GAN"), 52, 72);
        Assert.InRange(Frechet("failing GAN"), 425, 575);
        Assert.InRange(Frechet("VAE"), 390, 530);
        Assert.True(Frechet("failing GAN") > 3 * Frechet("healthy GAN") && Frechet("VAE") > 3 * Frechet("healthy GAN"), "the healthy GAN scores best of the generators");

        // "Its epochs took a fraction of a second against several seconds for the GAN's": measured 0.34 s against
        // 14.4 s and 0.60 s against 6.7 s on a shared machine; a factor 5 is far inside both.
        double vaeEpoch = Number(stdout, @"VAE epochs (\d+\.\d+) s"), ganEpoch = Number(stdout, @"GAN epochs (\d+\.\d+) s");
        Assert.True(vaeEpoch < 2 && ganEpoch > 5 * vaeEpoch, $"VAE {vaeEpoch} s, GAN {ganEpoch} s per epoch");

        // The Inception Score's two terms (quick mode, seeds 0, 1, 2), printed as "IS = exp(H(p(y)) − E H(p(y|x)))":
        // test images H 2.286, 2.266, 2.277 and E H 0.620, 0.584, 0.615; healthy GAN 2.052, 2.169, 2.149 and 0.973,
        // 1.111, 1.053; failing 0.992, 1.133, 1.759 and 0.649, 0.835, 1.046; VAE 2.220, 2.258, 2.207 and 1.554, 1.564,
        // 1.537; VAE IS 1.95, 2.00, 1.95. Each printed score is exp of its printed terms (to rounding: ±0.01).
        (double Score, double Diversity, double Confidence, double Frechet) Terms(string run)
        {
            var m = Regex.Match(stdout, $@"{run} *: Inception Score (\d+\.\d+) = exp\(H\(p\(y\)\) (\d\.\d+) − E H\(p\(y\|x\)\) (\d\.\d+)\); domain Fréchet distance (\d+\.\d)");
            Assert.True(m.Success, $"no score line for {run}");
            return (D(m, 1), D(m, 2), D(m, 3), D(m, 4));
        }
        var (test, good, bad, vae) = (Terms("test images"), Terms("healthy GAN"), Terms("failing GAN"), Terms("VAE"));
        foreach (var t in new[] { test, good, bad, vae }) Assert.Equal(Math.Exp(t.Diversity - t.Confidence), t.Score, 0.01 * t.Score + 0.006);
        Assert.Equal(Score("healthy GAN"), good.Score, 2);   // the library's score equals Experiment 1's
        // "The healthy GAN spreads nearly as widely but loses on confidence": its H within 0.25 nats of the test images'
        // (measured 0.23, 0.10, 0.13 below), its E H at least 0.3 above (0.35, 0.53, 0.44).
        Assert.True(test.Diversity - good.Diversity < 0.25 && good.Confidence - test.Confidence > 0.3, $"{test}, {good}");
        // "The failing GAN loses on diversity while the classifier is at least as sure of its samples": its H at least
        // 0.3 nats below the healthy run's (1.06, 1.04, 0.39), its E H not above the healthy run's (0.649/0.973,
        // 0.835/1.111, 1.046/1.053: seed 2 is level, so a 0.02 allowance).
        Assert.True(good.Diversity - bad.Diversity > 0.3 && bad.Confidence < good.Confidence + 0.02, $"{good}, {bad}");
        // "The VAE covers the classes but leaves the classifier the least sure of all, an IS of about 2.0, below the
        // healthy GAN's 2.9": seed 0 H 2.220, E H 1.554 (others at most 1.111), IS 1.95 (2.00, 1.95 on seeds 1 and 2).
        Assert.True(vae.Diversity > 2.1 && vae.Confidence > good.Confidence + 0.3 && vae.Confidence > bad.Confidence, $"{vae}");
        Assert.InRange(vae.Score, 1.85, 2.1);
        Assert.True(vae.Score < good.Score && bad.Score < vae.Score, $"seed 0: failing {bad.Score} < VAE {vae.Score} < healthy {good.Score}");

        // The conditional GAN (seeds 0, 1, 2): the classifier names the requested class for 72.7, 81.6, 80.3 % of its
        // samples (real test images: 79.9, 76.9, 77.7 % right); weakest class 39, 11, 67 %. IS 4.42, 4.97, 4.84 against
        // the healthy GAN's 2.94, 2.88, 2.99; domain Fréchet distance 22.1, 20.8, 18.0 against 61.6, 72.6, 67.2. The text
        // quotes seed 0's numbers to the digit: ±4 points on the accuracy (the GAN's run moves with float arithmetic),
        // ±15 % on the distances, as for the GANs above.
        double requested = Number(stdout, @"the classifier names the requested class for (\d+\.\d) % of 1,000 samples");
        Assert.InRange(requested, 68, 77);
        var cgan = Terms("conditional GAN");
        Assert.InRange(cgan.Score, 4.1, 4.8);
        // Seed 0's distance was 22.1 on one machine and 26.5 on another of the same kind (the same code, the last bits of
        // the float sums differing through 316 adversarial steps), 18.2 on a third whose processor has AVX-512: 16 to 29
        // allowed.
        Assert.InRange(cgan.Frechet, 16, 29);
        // "Better with the label": IS at least 1.3 times the healthy GAN's (1.50, 1.73, 1.62 measured), distance at most
        // half of it (0.36, 0.29, 0.27).
        Assert.True(cgan.Score > 1.3 * good.Score && cgan.Frechet < 0.5 * good.Frechet, $"{cgan} against {good}");
        // "Most of the images along the paths keep their class: 17 of 24 (24 and 15)": more than half.
        Assert.InRange(Number(stdout, @"interpolation within a class: (\d+) of 24"), 13, 24);
        // Arithmetic in z: mean pixel 0.251 → 0.449 with the direction, 0.255 with a random one (seed 0); 0.285 → 0.464,
        // 0.276 and 0.286 → 0.475, 0.271 on seeds 1 and 2. "Raises it" by at least 0.1 (0.18 to 0.20 measured); "the
        // random direction moves it by no more than 0.015" (0.004, 0.009, 0.015), allowed 0.03; the class kept drops
        // (70.1 → 55.1 %, 81.2 → 53.7 %, 80.5 → 59.8 %).
        var arith = Regex.Match(stdout, @"mean pixel (\d\.\d+) as drawn, (\d\.\d+) with it added, (\d\.\d+) with the random direction");
        Assert.True(D(arith, 2) - D(arith, 1) > 0.1 && Math.Abs(D(arith, 3) - D(arith, 1)) < 0.03, arith.Value);
        var kept = Regex.Match(stdout, @"requested class for (\d+\.\d) % as drawn, (\d+\.\d) % with the direction added");
        Assert.True(D(kept, 2) < D(kept, 1) - 5, kept.Value);

        // Edges → image (seeds 0, 1, 2): edge energy real 0.1850; L1 alone 0.1539, 0.1317, 0.1466; GAN + 10·L1 0.1753,
        // 0.1698, 0.1697. IS 4.24, 3.86, 4.18 against 4.73, 4.49, 4.69; domain FD 38.9, 114.0, 42.5 against 13.9, 16.6,
        // 11.5; accuracy 0.681, 0.696, 0.659 against 0.744, 0.686, 0.707; L1 0.0780, 0.0949, 0.0775 against 0.0798,
        // 0.0770, 0.0791. Claims that hold on every seed are checked with margins below the smallest measured gap:
        // edge energy +0.015 (0.021 measured), IS +0.3 (0.49), FD × 0.6 (0.36); seed 0's digits quoted in the text.
        (double L1, double Mse, double Edge, double Accuracy, double Score, double Frechet) Translator(string name)
        {
            var m = Regex.Match(stdout, $@"{Regex.Escape(name)} *: L1 (\d\.\d+), MSE (\d\.\d+), edge energy (\d\.\d+), classifier accuracy (\d\.\d+), Inception Score (\d+\.\d+), domain Fréchet distance (\d+\.\d)");
            Assert.True(m.Success, $"no line for {name}");
            return (D(m, 1), D(m, 2), D(m, 3), D(m, 4), D(m, 5), D(m, 6));
        }
        var (l1, gan) = (Translator("L1 alone"), Translator("GAN + 10·L1"));
        double realEdge = Number(stdout, @"real test images: edge energy (\d\.\d+)");
        Assert.InRange(realEdge, 0.184, 0.186);   // a property of the data: the same on every seed
        Assert.True(gan.Edge > l1.Edge + 0.015 && gan.Edge < realEdge, $"{l1}, {gan}");
        Assert.True(gan.Score > l1.Score + 0.3 && gan.Frechet < 0.6 * l1.Frechet, $"{l1}, {gan}");
        Assert.InRange(gan.Edge, 0.165, 0.185);
        Assert.InRange(l1.Edge, 0.14, 0.165);
        // Seed 0 (the test's): "L1 alone wins pixel error narrowly" (0.0780 against 0.0798, MSE 0.0232 against 0.0239)
        // and "the classifier's accuracy is higher" (0.744 against 0.681). Seed 1 reverses both, as the text says; on
        // another machine's floats seed 0 could move, so the pixel-error check allows a tie of 0.003.
        Assert.True(l1.L1 < gan.L1 + 0.003 && gan.Accuracy > l1.Accuracy, $"{l1}, {gan}");

        static double D(Match m, int group) => double.Parse(m.Groups[group].Value, CultureInfo.InvariantCulture);
    }
}
