using System.Globalization;
using System.Text.RegularExpressions;

namespace AeCourse.Tests;

public sealed partial class LectureTests
{
    /// <summary>
    /// Lecture 08 in quick mode with the default seed, held to each claim its text makes about the numbers it prints.
    /// Every tolerance below comes from quick runs with seeds 0, 1 and 2
    /// (<c>aecourse run source/08-self-supervised.ipynb --quick -p seed=N</c>); the measured values are in the comments,
    /// seed 0 first. Two runs of one seed differed by up to about a point in a probe (thread scheduling changes the
    /// float sums of the training), which the margins allow for. Full mode is not run here (twelve minutes on two cores);
    /// the numbers the text quotes from it are written down in docs/results.md.
    /// </summary>
    [Fact]
    public void Given_lecture_08_When_run_quick_Then_the_pretext_encoders_beat_the_random_one_but_not_pixels_PCA_or_the_autoencoder_and_two_tasks_beat_one()
    {
        var stdout = Stdout(RunQuick("08-self-supervised.ipynb"));
        int[] counts = [10, 100, 500];   // quick mode: the subset has 500 training images per class
        // The lines with every draw: "  10 labels per class: raw pixels 0.726 [0.734 0.732 0.711], PCA-32 0.667 [...], ...".
        double Mean(string method, int k) => Number(stdout, $@"(?m)^ *{k} labels per class: [^\n]*?{method} (\d\.\d+) \[");
        double[] Draws(string method, int k) => Regex.Match(stdout, $@"(?m)^ *{k} labels per class: [^\n]*?{method} \d\.\d+ \[([^\]]+)\]").Groups[1].Value
            .Split(' ').Select(a => double.Parse(a, CultureInfo.InvariantCulture)).ToArray();
        double Spread(string method, int k) => Draws(method, k).Max() - Draws(method, k).Min();
        string[] conv = ["AE-32", "rotation", "context"], all = ["raw pixels", "PCA-32", "random", .. conv];

        // "Every encoder has the same number of parameters": 58,704 in quick mode (16 channels), by hand
        // 16·16 + 16 + 32·16·16 + 32 + 1568·32 + 32.
        foreach (var method in new[] { "AE-32", "random", "rotation", "context" })
            Assert.Equal("58,704", Regex.Match(stdout, $@"encoder parameters:[^\n]*?{method} (\d{{1,3}}(?:,\d{{3}})*)").Groups[1].Value);
        Assert.Equal(58_704, 16 * 16 + 16 + 32 * 16 * 16 + 32 + 1568 * 32 + 32);

        // "About nine test images in ten": 0.895, 0.907, 0.896; sneakers and ankle boots "0.99 or more" (0.99–1.00);
        // bags "about two in three" (0.63, 0.79, 0.65), the hardest class on every seed.
        double rotationAccuracy = Number(stdout, @"rotation pretext, test accuracy \(chance 0\.25\): (\d\.\d+)");
        Assert.InRange(rotationAccuracy, 0.86, 0.94);
        double PerClass(string name) => Number(stdout, $@"per class: [^\n]*?{Regex.Escape(name)} (\d\.\d+)");
        Assert.True(PerClass("Sneaker") >= 0.98 && PerClass("Ankle boot") >= 0.98, $"sneaker {PerClass("Sneaker")}, ankle boot {PerClass("Ankle boot")}");
        Assert.InRange(PerClass("Bag"), 0.55, 0.82);
        string[] classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];
        Assert.Equal("Bag", classes.MinBy(PerClass));

        // The hole: "about 0.04 per pixel against 0.105 for the mean image and 0.370 for the empty hole" (the context
        // encoder 0.043, 0.041, 0.047; the other two do not depend on the seed). "Less than half the mean image's".
        double empty = Number(stdout, @"left empty (\d\.\d+)"), mean = Number(stdout, @"the mean training image (\d\.\d+)"), filled = Number(stdout, @"the context encoder (\d\.\d+)");
        Assert.InRange(empty, 0.365, 0.375);
        Assert.InRange(mean, 0.100, 0.110);
        Assert.InRange(filled, 0.035, 0.052);
        Assert.True(filled < 0.5 * mean, $"context encoder {filled}, mean image {mean}");

        foreach (var method in all) Assert.Equal(3, Draws(method, 10).Length);
        // "Nothing beats the raw pixels, at any label count" (0.726/0.720/0.732 at 10 labels, 0.815/0.818/0.824 at 100,
        // 0.842/0.842/0.845 at 500; ahead of the next by 4.9 points or more at 10, 1.4 or more at 100 and 500).
        foreach (var k in counts)
            Assert.Equal("raw pixels", all.MaxBy(m => Mean(m, k)));
        // The quoted means of the default seed, within 0.025: on seeds 0–2 they moved by up to 2 points (the largest,
        // AE-32 at 100 labels, 0.720/0.755/0.737, is quoted only with the seed; its test is the spread claim below).
        void Quoted(string method, int k, double value) => Assert.InRange(Mean(method, k), value - 0.025, value + 0.025);
        Quoted("raw pixels", 10, 0.726); Quoted("raw pixels", 100, 0.815); Quoted("raw pixels", 500, 0.842);
        Quoted("PCA-32", 100, 0.799); Quoted("random", 10, 0.595); Quoted("random", 100, 0.618); Quoted("random", 500, 0.621);
        Quoted("rotation", 100, 0.697); Quoted("context", 100, 0.724);
        // "At 100 and 500 labels PCA-32 beats every 32-number convolutional code by 4 to 7 points on every seed":
        // at 100, 7.3/4.1/6.7 points ahead of the best; at 500, 8.1/5.7/6.9. 2.5 points asserted.
        foreach (var k in new[] { 100, 500 })
            Assert.All(conv, m => Assert.True(Mean("PCA-32", k) > Mean(m, k) + 0.025, $"{k} labels: PCA-32 {Mean("PCA-32", k)}, {m} {Mean(m, k)}"));
        // "The random encoder reaches about six times chance at 10 labels (0.595/0.578/0.587) and gains almost nothing
        // from more labels" (10 → 500: +2.6, +8.0, +5.1 points; 100 → 500: +0.3, +1.8, 0.0).
        Assert.InRange(Mean("random", 10), 0.54, 0.64);
        Assert.InRange(Mean("random", 500) - Mean("random", 100), -0.01, 0.025);
        // "Both pretext encoders beat it at every label count, on every seed: rotation by 3 to 4 points at 10 labels and
        // 7 to 10 at 100, the context encoder by 6 to 8 and 8 to 11": rotation +2.8/+2.9/+4.7 and +7.9/+7.4/+10.0,
        // context +6.8/+7.8/+6.6 and +10.6/+9.2/+7.7 (at 500: rotation +8.3/+5.1/+9.9, context +12.0/+8.3/+9.4).
        // 1.5 points asserted at 10 labels, 4 at 100 and 500.
        foreach (var m in new[] { "rotation", "context" })
        {
            Assert.True(Mean(m, 10) > Mean("random", 10) + 0.015, $"10 labels: {m} {Mean(m, 10)}, random {Mean("random", 10)}");
            Assert.True(Mean(m, 100) > Mean("random", 100) + 0.04, $"100 labels: {m} {Mean(m, 100)}, random {Mean("random", 100)}");
            Assert.True(Mean(m, 500) > Mean("random", 500) + 0.04, $"500 labels: {m} {Mean(m, 500)}, random {Mean("random", 500)}");
        }
        // "At 100 labels the three trained codes lie within about 4 points of each other" (2.7, 4.1, 2.5 points): 5 asserted.
        // "With 10 labels, PCA-32, AE-32 and the context encoder are within about 2 points of each other" (1.4, 0.2, 1.1)
        // "and rotation is 2 to 5 points behind them" (behind the lowest of the three by 4.0, 4.8, 1.8 points: 1.5 to 6
        // asserted).
        Assert.True(conv.Max(m => Mean(m, 100)) - conv.Min(m => Mean(m, 100)) < 0.05, "the trained codes at 100 labels");
        string[] closeAt10 = ["PCA-32", "AE-32", "context"];
        Assert.True(closeAt10.Max(m => Mean(m, 10)) - closeAt10.Min(m => Mean(m, 10)) < 0.03, "PCA-32, AE-32 and context at 10 labels");
        Assert.InRange(closeAt10.Min(m => Mean(m, 10)) - Mean("rotation", 10), 0.015, 0.06);
        // "From 100 to 500 labels each [conv code] gains 2 points or less (rotation +0.7, context +1.7, AE-32 +0.2), raw
        // pixels and PCA-32 2 to 3 points": conv gains −0.5 to +1.8 on seeds 0–2; raw +2.7/+2.4/+2.1, PCA +2.5/+2.8/+2.0.
        double Gain(string method) => Mean(method, 500) - Mean(method, 100);
        Assert.All(conv, m => Assert.InRange(Gain(m), -0.015, 0.025));
        Assert.All(new[] { "raw pixels", "PCA-32" }, m => Assert.InRange(Gain(m), 0.015, 0.035));
        // "At 10 labels per class the draws of one method spread by up to 7 points (± up to 0.035), at 500 by 2 points at
        // most": the largest spread at 10 labels 0.059, 0.041, 0.071; at 500, 0.015, 0.015, 0.019.
        Assert.InRange(all.Max(m => Spread(m, 10)), 0.025, 0.07);
        Assert.True(all.Max(m => Spread(m, 500)) <= 0.025, $"largest spread at 500 labels {all.Max(m => Spread(m, 500))}");

        // The experiment (its check holds the bars; here the text's reading of them): two pretexts 0.748/0.757/0.751,
        // above the better single task by 2.6/2.5/1.6 points ("1.6 to 2.6 points", 1 to 4 asserted), at least as good as AE-32
        // (+3.0/+0.2/+1.4: > −1 point asserted) and "4 to 5 points below PCA-32" (5.1/3.9/5.3: 3 to 6 asserted).
        double both = Number(stdout, @"two pretexts (\d\.\d+)");
        Assert.InRange(both, 0.748 - 0.02, 0.748 + 0.02);
        Assert.InRange(both - Math.Max(Mean("rotation", 100), Mean("context", 100)), 0.01, 0.04);
        Assert.True(both > Mean("AE-32", 100) - 0.01, $"two pretexts {both}, AE-32 {Mean("AE-32", 100)}");
        Assert.InRange(Mean("PCA-32", 100) - both, 0.03, 0.06);
    }
}
