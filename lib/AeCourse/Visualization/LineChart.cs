using System.Globalization;
using Plotly.NET;
using Plotly.NET.CSharp;
using PlotlyChart = Plotly.NET.CSharp.Chart;

namespace AeCourse.Visualization;

/// <summary>One or more series over epochs (loss curves, train against test).</summary>
public sealed class LineChart : Figure
{
    /// <summary>The series, by name, as given.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<double>> Series { get; }

    LineChart(GenericChart chart, IReadOnlyDictionary<string, IReadOnlyList<double>> series) : base(chart) => Series = series;

    /// <summary>A chart of each series against epochs 1, 2, …</summary>
    /// <param name="title">Chart title.</param>
    /// <param name="yTitle">What the values are, with their unit (e.g. "MSE per pixel").</param>
    /// <param name="series">Named series, e.g. ("train", trainLoss), ("test", testLoss).</param>
    public static LineChart OverEpochs(string title, string yTitle, params (string Name, IReadOnlyList<double> Values)[] series)
    {
        var lines = series.Select(s => PlotlyChart.Line<int, double, string>(
            x: Enumerable.Range(1, s.Values.Count), y: s.Values, Name: s.Name, ShowMarkers: true));
        var chart = WithTitle(PlotlyChart.Combine(lines), title)
            .WithXAxisStyle<int, int, string>(TitleText: "epoch")
            .WithYAxisStyle<double, double, string>(TitleText: yTitle)
            .WithSize(720, 420);
        return new LineChart(chart, series.ToDictionary(s => s.Name, s => s.Values));
    }

    /// <inheritdoc />
    public override string ToString() =>
        string.Join("; ", Series.Select(s => $"{s.Key}: {s.Value.Count} epochs, last {(s.Value.Count > 0 ? s.Value[^1].ToString("G4", CultureInfo.InvariantCulture) : "-")}"));
}
