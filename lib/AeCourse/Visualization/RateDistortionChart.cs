using System.Globalization;
using AeCourse.Metrics;

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

    RateDistortionChart(string title, IReadOnlyList<ChartTrace> traces, IReadOnlyList<(string, RateDistortion)> points, double best)
        : base(title, "rate: KL (nats per image)", "distortion: BCE (nats per image)", width: 720, height: 480, traces) =>
        (Points, BestNegativeElbo) = (points, best);

    /// <summary>A chart of the given models, e.g. one per β.</summary>
    /// <param name="points">(label, rate and distortion) per model, e.g. ("β = 4", RateDistortion.Measure(…)).</param>
    /// <param name="title">Chart title.</param>
    public static RateDistortionChart Of(IReadOnlyList<(string Label, RateDistortion Point)> points, string title = "Rate against distortion")
    {
        if (points.Count == 0) throw new ArgumentException("give at least one point", nameof(points));
        double best = points.Min(p => p.Point.NegativeElbo);
        double right = points.Max(p => p.Point.Rate) * 1.1 + 1;
        var models = new ChartTrace("models", points.Select(p => p.Point.Rate).ToArray(), points.Select(p => p.Point.Distortion).ToArray(),
            TraceKind.LinesAndMarkers, Text: points.Select(p => p.Label).ToArray());
        // rate + distortion = best: from (0, best) down at 45° to the right edge.
        var elbo = new ChartTrace(string.Create(CultureInfo.InvariantCulture, $"rate + distortion = {best:F1}"), [0, right], [best, best - right],
            TraceKind.Lines, Dashed: true);
        return new RateDistortionChart(title, [models, elbo], points, best);
    }

    /// <inheritdoc />
    public override string ToString() =>
        string.Join("; ", Points.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Label}: rate {p.Point.Rate:F2}, distortion {p.Point.Distortion:F1}")));
}
