using System.Globalization;
using Plotly.NET;
using Plotly.NET.CSharp;
using static TorchSharp.torch;
using PlotlyChart = Plotly.NET.CSharp.Chart;

namespace AeCourse.Visualization;

/// <summary>One value per category: KL per latent dimension, accuracy per label budget, a label histogram.</summary>
public sealed class BarChart : Figure
{
    /// <summary>The bars, in order.</summary>
    public IReadOnlyList<(string Category, double Value)> Bars { get; }

    BarChart(GenericChart chart, IReadOnlyList<(string, double)> bars) : base(chart) => Bars = bars;

    /// <summary>A bar per category.</summary>
    /// <param name="title">Chart title.</param>
    /// <param name="yTitle">What the values are, with their unit.</param>
    /// <param name="bars">(category, value) per bar.</param>
    public static BarChart Of(string title, string yTitle, IReadOnlyList<(string Category, double Value)> bars)
    {
        var chart = WithTitle(PlotlyChart.Column<double, string, string>(values: bars.Select(b => b.Value), Keys: new Optional<IEnumerable<string>>(bars.Select(b => b.Category), true)), title)
            .WithYAxisStyle<double, double, string>(TitleText: yTitle)
            .WithSize(720, 400);
        return new BarChart(chart, bars);
    }

    /// <summary>
    /// KL(q(z|x) ‖ p(z)) per latent dimension in nats, averaged over images (e.g. <c>LatentStatistics.KlPerDimension</c>):
    /// dimensions near 0 are inactive, ignored by the decoder.
    /// </summary>
    public static BarChart KlPerDimension(Tensor klPerDimension, string title = "KL per latent dimension")
    {
        var values = klPerDimension.detach().to(ScalarType.Float64).cpu().data<double>().ToArray();
        return Of(title, "KL (nats per image)", values.Select((v, i) => ($"z{i}", v)).ToList());
    }

    /// <inheritdoc />
    public override string ToString() =>
        string.Join(", ", Bars.Select(b => string.Create(CultureInfo.InvariantCulture, $"{b.Category} {b.Value:G4}")));
}
