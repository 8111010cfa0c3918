using System.Globalization;
using AeCourse.Metrics;
using Plotly.NET;
using Plotly.NET.CSharp;
using PlotlyChart = Plotly.NET.CSharp.Chart;

namespace AeCourse.Visualization;

/// <summary>
/// The rate–distortion plane of VAEs (Alemi et al., 2018): one labelled point per model, rate (KL) across, distortion
/// (reconstruction) up, joined in the order given, with the dashed line of constant negative ELBO (rate + distortion)
/// through the best of them. Points on one 45° line have the same ELBO; a β-VAE slides along the curve.
/// </summary>
public sealed class RateDistortionChart : Figure
{
    /// <summary>The points, in order.</summary>
    public IReadOnlyList<(string Label, RateDistortion Point)> Points { get; }

    /// <summary>Rate + distortion of the best point: where the dashed line lies, nats per image.</summary>
    public double BestNegativeElbo { get; }

    RateDistortionChart(GenericChart chart, IReadOnlyList<(string, RateDistortion)> points, double best) : base(chart) =>
        (Points, BestNegativeElbo) = (points, best);

    /// <summary>A chart of the given models, e.g. one per β.</summary>
    /// <param name="points">(label, rate and distortion) per model, e.g. ("β = 4", RateDistortion.Measure(…)).</param>
    /// <param name="title">Chart title.</param>
    public static RateDistortionChart Of(IReadOnlyList<(string Label, RateDistortion Point)> points, string title = "Rate against distortion")
    {
        if (points.Count == 0) throw new ArgumentException("give at least one point", nameof(points));
        double best = points.Min(p => p.Point.NegativeElbo);
        double right = points.Max(p => p.Point.Rate) * 1.1 + 1;
        var models = PlotlyChart.Line<double, double, string>(
            x: points.Select(p => p.Point.Rate), y: points.Select(p => p.Point.Distortion), ShowMarkers: true, Name: "models",
            MultiText: points.Select(p => p.Label).ToArray(), TextPosition: StyleParam.TextPosition.TopRight);
        var elbo = PlotlyChart.Line<double, double, string>(
            x: [0, right], y: [best, best - right], Name: string.Create(CultureInfo.InvariantCulture, $"rate + distortion = {best:F1}"),
            LineDash: StyleParam.DrawingStyle.Dash);
        var chart = WithTitle(PlotlyChart.Combine([models, elbo]), title)
            .WithXAxisStyle<double, double, string>(TitleText: "rate: KL (nats per image)")
            .WithYAxisStyle<double, double, string>(TitleText: "distortion: BCE (nats per image)")
            .WithSize(720, 480);
        return new RateDistortionChart(chart, points, best);
    }

    /// <inheritdoc />
    public override string ToString() =>
        string.Join("; ", Points.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Label}: rate {p.Point.Rate:F2}, distortion {p.Point.Distortion:F1}")));
}
