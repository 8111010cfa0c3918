using System.Globalization;
using System.Text.RegularExpressions;

namespace AeCourse.Tests;

public sealed partial class LectureTests
{
    /// <summary>
    /// Lecture 03 in quick mode with the default seed, held to each claim its text makes about the numbers it prints.
    /// Every tolerance below comes from quick runs with seeds 0, 1 and 2
    /// (<c>aecourse run source/03-pretraining.ipynb --quick -p seed=N</c>); the measured values are in the comments,
    /// seed 0 first. The text quotes full-mode numbers as such; they are not checked here.
    /// </summary>
    [Fact]
    public void Given_lecture_03_When_run_quick_Then_raw_pixels_beat_every_code_PCA_beats_the_frozen_encoder_with_labels_LP_FT_keeps_the_pretrained_code_and_greedy_pretraining_loses_to_end_to_end()
    {
        var stdout = Stdout(RunQuick("03-pretraining.ipynb"));
        int[] counts = [10, 100, 500];   // quick mode: the subset has 500 training images per class
        // The side-by-side lines: "  10 labels per class, mean over 3 draws: raw pixels 0.726, PCA-32 0.670, ...".
        double Mean(string method, int k) => Number(stdout, $@"(?m)^ *{k} labels per class, mean over \d+ draws:[^\n]*?{method} (\d\.\d+)");
        // The lines with every draw: "  10 labels per class: raw pixels 0.726 [0.734 0.732 0.711], ...".
        double[] Draws(string method, int k) => Regex.Match(stdout, $@"(?m)^ *{k} labels per class: [^\n]*?{method} \d\.\d+ \[([^\]]+)\]").Groups[1].Value
            .Split(' ').Select(a => double.Parse(a, CultureInfo.InvariantCulture)).ToArray();
        double Spread(string method, int k) => Draws(method, k).Max() - Draws(method, k).Min();
        string[] probes = ["raw pixels", "PCA-32", "frozen encoder"], networks = ["from scratch", "fine-tuned"];

        // "Half of the autoencoder's weights were the decoder's": 209,184 of 419,120 are the encoder's (the same architecture
        // on every seed; counted by hand: 784·256 + 256 + 256·32 + 32).
        var counted = Regex.Match(stdout, @"autoencoder ([\d,]+) parameters: encoder ([\d,]+)").Groups;
        Assert.Equal(784 * 256 + 256 + 256 * 32 + 32, long.Parse(counted[2].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture));
        Assert.InRange(long.Parse(counted[2].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture) / (double)long.Parse(counted[1].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture), 0.49, 0.51);
        // "Test MSE per pixel about 0.021": 0.0206, 0.0207, 0.0203.
        Assert.InRange(Number(stdout, @"pretrained: test MSE per pixel (\d\.\d+)"), 0.019, 0.023);
        foreach (var method in probes.Concat(networks))
        {
            Assert.Equal(3, Draws(method, 10).Length);
            // Chance is 0.1; with 10 labels per class every method reached 0.65 or more (0.45 fails only a broken one).
            Assert.True(Mean(method, 10) > 0.45, $"{method} at 10 labels: {Mean(method, 10)}");
            // More labels, better: 10 → 100 gained 9 to 14 points for every method (2 demanded).
            Assert.True(Mean(method, 100) > Mean(method, 10) + 0.02, $"{method}: 10 → 100 labels {Mean(method, 10)} → {Mean(method, 100)}");
        }

        // The values the text quotes for the default seed, "about" to two places: on seeds 0–2 each stayed within 0.02 of
        // them (the farthest: the frozen encoder at 10 labels, 0.703/0.680/0.687 for "0.70"), so 0.025 is allowed.
        void Quoted(string method, int k, double value) => Assert.InRange(Mean(method, k), value - 0.025, value + 0.025);
        Quoted("raw pixels", 10, 0.73); Quoted("frozen encoder", 10, 0.70); Quoted("PCA-32", 10, 0.66);
        Quoted("raw pixels", 100, 0.82); Quoted("frozen encoder", 100, 0.78); Quoted("PCA-32", 100, 0.80);
        Quoted("raw pixels", 500, 0.84); Quoted("frozen encoder", 500, 0.79); Quoted("PCA-32", 500, 0.82);
        Quoted("fine-tuned", 10, 0.720); Quoted("from scratch", 10, 0.717); Quoted("fine-tuned", 500, 0.851); Quoted("from scratch", 500, 0.838);
        // "Raw pixels beat both 32-number codes at every label count": by 2.3–4.5 (frozen) and 5.6–7.3 (PCA) points at 10
        // labels, 3.4–4.7 and 1.9–2.0 at 100, 4.9–6.9 and 1.9–2.1 at 500.
        foreach (var k in counts)
            foreach (var code in new[] { "PCA-32", "frozen encoder" })
                Assert.True(Mean("raw pixels", k) > Mean(code, k), $"{k} labels: raw pixels {Mean("raw pixels", k)}, {code} {Mean(code, k)}");
        // The frozen encoder against PCA-32: ahead at 10 labels (+3.3, +2.6, +2.8 points), behind at 100 (−2.2, −2.7,
        // −1.4) and 500 (−3.4, −4.8, −3.0). Each sign held on every seed by 1.4 points or more. Since PCA's components
        // have a fixed sign (the probe's head starts from the same random weights, so a flipped component trains a
        // little differently), seed 0 gives +4.0, −2.2 and −3.5, its PCA-32 0.663, 0.797 and 0.823.
        Assert.True(Mean("frozen encoder", 10) > Mean("PCA-32", 10), $"10 labels: frozen {Mean("frozen encoder", 10)}, PCA {Mean("PCA-32", 10)}");
        Assert.True(Mean("PCA-32", 100) > Mean("frozen encoder", 100), $"100 labels: frozen {Mean("frozen encoder", 100)}, PCA {Mean("PCA-32", 100)}");
        Assert.True(Mean("PCA-32", 500) > Mean("frozen encoder", 500), $"500 labels: frozen {Mean("frozen encoder", 500)}, PCA {Mean("PCA-32", 500)}");
        // "The frozen encoder barely gains from 100 to 500 labels (about a point; raw pixels and PCA-32 about 2.5)":
        // +1.3, +0.7, +0.5 points, against +1.9 to +2.9 for raw pixels and PCA-32 (and +1.7 to +2.8 for the networks).
        double Gain(string method) => Mean(method, 500) - Mean(method, 100);
        Assert.InRange(Gain("frozen encoder"), -0.01, 0.015);
        Assert.All(new[] { "raw pixels", "PCA-32" }, m => Assert.True(Gain(m) > Gain("frozen encoder") + 0.005, $"{m} gained {Gain(m)}, frozen {Gain("frozen encoder")}"));
        // "The draws differ by up to 4 to 6 points for one method at 10 labels per class, several times less at 500":
        // the largest spread of a probe at 10 labels 0.044, 0.056, 0.059; at 500, 0.005, 0.009, 0.005 (ratio 6 to 12).
        double probeSpread10 = probes.Max(m => Spread(m, 10)), probeSpread500 = probes.Max(m => Spread(m, 500));
        Assert.InRange(probeSpread10, 0.03, 0.08);
        Assert.True(probeSpread10 > 3 * probeSpread500, $"spread of the probes' draws: {probeSpread10} at 10 labels, {probeSpread500} at 500");

        // The table. At 10 labels the networks "tie": fine-tuned − from scratch +0.3, −0.3, +0.6 points (within 1.5 points
        // asserted), and "neither does better than raw pixels": raw pixels ahead of both by 0.5 to 1.9 points.
        Assert.InRange(Mean("fine-tuned", 10) - Mean("from scratch", 10), -0.015, 0.015);
        Assert.All(networks, m => Assert.True(Mean("raw pixels", 10) >= Mean(m, 10), $"10 labels: raw {Mean("raw pixels", 10)}, {m} {Mean(m, 10)}"));
        // "With 500 labels per class fine-tuning pays a little": +1.3, +0.9, +0.6 points (no margin demanded beyond > 0).
        // At 100 the text claims no order (+1.3, +0.6, −0.5), so neither does the test.
        Assert.True(Mean("fine-tuned", 500) > Mean("from scratch", 500), $"500 labels: fine-tuned {Mean("fine-tuned", 500)}, scratch {Mean("from scratch", 500)}");
        // "Both networks leave the frozen encoder far behind (5 to 8 points at 500) and PCA-32 too (1.5 to 3 points at
        // 500)": measured 5.0–7.5 and 1.6–2.9 points; 3 and 0.5 points asserted. "The frozen encoder is last at 100 and
        // 500 labels; at 10, PCA-32 is."
        foreach (var m in networks)
        {
            // (At 100 labels, 3.3 to 5.9 points ahead of the frozen encoder: 2 asserted.)
            Assert.True(Mean(m, 100) > Mean("frozen encoder", 100) + 0.02, $"100 labels: {m} {Mean(m, 100)}, frozen {Mean("frozen encoder", 100)}");
            Assert.True(Mean(m, 500) > Mean("frozen encoder", 500) + 0.03, $"500 labels: {m} {Mean(m, 500)}, frozen {Mean("frozen encoder", 500)}");
            Assert.True(Mean(m, 500) > Mean("PCA-32", 500) + 0.005, $"500 labels: {m} {Mean(m, 500)}, PCA {Mean("PCA-32", 500)}");
        }
        string[] all = [.. probes, .. networks];
        Assert.Equal("PCA-32", all.MinBy(m => Mean(m, 10)));
        Assert.Equal("frozen encoder", all.MinBy(m => Mean(m, 100)));
        Assert.Equal("frozen encoder", all.MinBy(m => Mean(m, 500)));

        // Through the pretrained decoder: the pretrained encoder "about 0.021"; every fine-tuned encoder "more than twice
        // that" — the means per label count 0.050 to 0.083 on seeds 0–2, 2.4 to 4.1 times the pretrained one's.
        double pretrained = Number(stdout, @"the pretrained encoder (\d\.\d+)");
        Assert.InRange(pretrained, 0.019, 0.023);
        // "(0.050 to 0.062 here)": 0.0623, 0.0513, 0.0499 with the default seed; 0.050 to 0.083 on seeds 0–2, so 0.045 to 0.09.
        Assert.All(counts, k => Assert.True(Number(stdout, $@"(?m)^ *{k} labels per class, fine-tuned encoders: (\d\.\d+)") > 2 * pretrained));
        Assert.All(counts, k => Assert.InRange(Number(stdout, $@"(?m)^ *{k} labels per class, fine-tuned encoders: (\d\.\d+)"), 0.045, 0.09));

        // The experiment, LP-FT at 100 labels per class (its check holds the bars; here the text's reading of them):
        // "accuracy hardly changed" (+0.2, +0.1, +1.2 points over plain fine-tuning: within ±2 asserted) and "about 28%
        // less distortion" (28, 31, 39% less: at least 15% asserted, as the check does).
        double lpft = Number(stdout, @"LP-FT (\d\.\d+)"), lpftMse = Number(stdout, @"LP-FT [^\n]*through the pretrained decoder (\d\.\d+)");
        double plain = Number(stdout, @"plain fine-tuning (\d\.\d+)"), plainMse = Number(stdout, @"plain fine-tuning [^\n]*through the pretrained decoder (\d\.\d+)");
        Assert.Equal(Mean("fine-tuned", 100), plain, 3);
        // The quoted 0.832 and 0.830 (seeds 0–2: 0.832/0.828/0.833 and 0.830/0.827/0.821, within 0.025 as above) and
        // 0.037 and 0.051 (0.037/0.040/0.034 and 0.051/0.058/0.056: within 20%).
        Assert.InRange(lpft, 0.832 - 0.025, 0.832 + 0.025);
        Assert.InRange(plain, 0.830 - 0.025, 0.830 + 0.025);
        Assert.InRange(lpftMse, 0.037 * 0.8, 0.037 * 1.2);
        Assert.InRange(plainMse, 0.051 * 0.8, 0.051 * 1.2);
        Assert.InRange(lpft - plain, -0.02, 0.02);
        Assert.True(lpftMse < 0.85 * plainMse, $"through the decoder: LP-FT {lpftMse}, plain {plainMse}");

        // Greedy layer-wise pretraining against the same deep autoencoder end to end. The default run trains seeds 0, 1, 2;
        // runs with -p seed=1 and 2 add seeds 3 and 4 (the pairs of a seed come out the same in every run). Measured, seed
        // by seed 0 to 4: test MSE per pixel stacked 0.0551/0.0574/0.0528/0.0537/0.0550, greedy + fine-tuned
        // 0.0278/0.0273/0.0265/0.0301/0.0265, end to end 0.0237/0.0240/0.0250/0.0244/0.0246; probe at 100 labels greedy +
        // fine-tuned 0.724/0.725/0.727/0.740/0.736, end to end 0.729/0.722/0.730/0.734/0.735.
        var deep = Regex.Matches(stdout, @"seed (\d+), layer losses ([^;]+); test MSE per pixel: stacked (\d\.\d+), greedy \+ fine-tuned (\d\.\d+), end to end (\d\.\d+); probe at 100 labels: greedy \+ fine-tuned (\d\.\d+), end to end (\d\.\d+)")
            .Select(m => m.Groups.Values.Skip(1).Select(g => g.Value).ToArray()).ToList();
        Assert.Equal(3, deep.Count);
        double D(string text) => double.Parse(text, CultureInfo.InvariantCulture);
        foreach (var row in deep)
        {
            // "Every layer learnt": layer 1's cross-entropy 0.694 → 0.355 to 0.358 (ratio 0.51 to 0.52; 0.7 asserted); the
            // squared errors of the layers above fell four to ten times (ratios 0.10 to 0.15 and 0.12 to 0.23; 0.35 asserted).
            var layers = Regex.Matches(row[1], @"(\d+\.\d+) → (\d+\.\d+)").Select(m => (Before: D(m.Groups[1].Value), After: D(m.Groups[2].Value))).ToArray();
            Assert.Equal(3, layers.Length);
            Assert.InRange(layers[0].Before, 0.68, 0.71);
            Assert.True(layers[0].After < 0.7 * layers[0].Before, $"seed {row[0]}, layer 1: {layers[0]}");
            Assert.All(layers.Skip(1), l => Assert.True(l.After < 0.35 * l.Before, $"seed {row[0]}: {l}"));
            double stacked = D(row[2]), greedy = D(row[3]), endToEnd = D(row[4]);
            // "Stacked as they are … about 0.055, twice what fine-tuning reaches": 0.053 to 0.057, 1.8 to 2.1 times (1.5 asserted).
            Assert.InRange(stacked, 0.045, 0.065);
            Assert.True(stacked > 1.5 * greedy, $"seed {row[0]}: stacked {stacked}, fine-tuned {greedy}");
            // "End to end wins on reconstruction, on every seed … ahead by 6 to 19%": the smallest margin 0.0015 (seed 2).
            Assert.True(endToEnd < greedy, $"seed {row[0]}: end to end {endToEnd}, greedy {greedy}");
            // "Within a point on every seed": probe differences −0.5 to +0.6 points (2 allowed: one accuracy on 1,000 test
            // images has a standard error of about 1.4 points).
            Assert.InRange(D(row[5]) - D(row[6]), -0.02, 0.02);
        }
        var deepMeans = Regex.Match(stdout, @"mean over \d+ seeds: test MSE per pixel greedy \+ fine-tuned (\d\.\d+), end to end (\d\.\d+); probe greedy \+ fine-tuned (\d\.\d+), end to end (\d\.\d+) \(one-layer frozen encoder (\d\.\d+)\)").Groups;
        double greedyMse = D(deepMeans[1].Value), endToEndMse = D(deepMeans[2].Value), greedyProbe = D(deepMeans[3].Value), endToEndProbe = D(deepMeans[4].Value);
        Assert.Equal(Mean("frozen encoder", 100), D(deepMeans[5].Value), 3);
        // The quoted means, 0.0272 and 0.0242 (runs with seeds 1 and 2: 0.0280 and 0.0245, 0.0277 and 0.0247; 10% bands),
        // 0.725 and 0.727 (0.731 and 0.729, 0.734 and 0.733; 0.025 as for the other accuracies).
        Assert.InRange(greedyMse, 0.0272 * 0.9, 0.0272 * 1.1);
        Assert.InRange(endToEndMse, 0.0242 * 0.9, 0.0242 * 1.1);
        Assert.InRange(greedyProbe, 0.725 - 0.025, 0.725 + 0.025);
        Assert.InRange(endToEndProbe, 0.727 - 0.025, 0.727 + 0.025);
        Assert.InRange(greedyProbe - endToEndProbe, -0.015, 0.015);
        // "Both deep codes are worse for a linear probe than the one-hidden-layer autoencoder's frozen encoder": 0.725 and
        // 0.727 against 0.775 (runs with seeds 1 and 2: 0.731 and 0.729 against 0.768, 0.734 and 0.733 against 0.788): 3.7
        // points or more; 2 asserted.
        Assert.True(Math.Max(greedyProbe, endToEndProbe) < Mean("frozen encoder", 100) - 0.02, $"deep probes {greedyProbe}, {endToEndProbe}; one-layer frozen {Mean("frozen encoder", 100)}");
    }
}
