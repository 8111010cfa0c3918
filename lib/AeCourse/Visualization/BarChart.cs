using System.Globalization;
using static TorchSharp.torch;

namespace AeCourse.Visualization;

/// <summary>One value per category: KL per latent dimension, accuracy per label budget, a label histogram.</summary>
public sealed class BarChart : Figure
{
    /// <summary>The bars, in order.</summary>
    public IReadOnlyList<(string Category, double Value)> Bars { get; }

    BarChart(string title, string yTitle, IReadOnlyList<(string Category, double Value)> bars)
        : base(title, "", yTitle, width: 720, height: 400,
            [new ChartTrace("", bars.Select((_, i) => (double)i).ToArray(), bars.Select(b => b.Value).ToArray(), TraceKind.Bars)],
            categories: bars.Select(b => b.Category).ToArray()) => Bars = bars;

    /// <summary>A bar per category.</summary>
    /// <param name="title">Chart title.</param>
    /// <param name="yTitle">What the values are, with their unit.</param>
    /// <param name="bars">(category, value) per bar.</param>
    public static BarChart Of(string title, string yTitle, IReadOnlyList<(string Category, double Value)> bars) => new(title, yTitle, bars);

    /// <summary>
    /// KL(q(z|x) ‖ p(z)) per latent dimension in nats, averaged over images (e.g. <c>LatentStatistics.KlPerDimension</c>):
    /// dimensions near 0 are inactive, ignored by the decoder.
    /// </summary>
    public static BarChart KlPerDimension(Tensor klPerDimension, string title = "KL per latent dimension")
    {
        using var scope = NewDisposeScope();
        var values = klPerDimension.detach().to(ScalarType.Float64).cpu().data<double>().ToArray();
        return Of(title, "KL (nats per image)", values.Select((v, i) => ($"z{i}", v)).ToList());
    }

    /// <inheritdoc />
    public override string ToString() =>
        string.Join(", ", Bars.Select(b => string.Create(CultureInfo.InvariantCulture, $"{b.Category} {b.Value:G4}")));
}
