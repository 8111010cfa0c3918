using System.Globalization;

namespace AeCourse.Visualization;

/// <summary>One or more series over epochs (loss curves, train against test).</summary>
public sealed class LineChart : Figure
{
    /// <summary>The series, by name, as given.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<double>> Series { get; }

    LineChart(string title, string yTitle, IReadOnlyList<ChartTrace> traces, IReadOnlyDictionary<string, IReadOnlyList<double>> series)
        : base(title, "epoch", yTitle, width: 720, height: 420, traces) => Series = series;

    /// <summary>A chart of each series against epochs 1, 2, …</summary>
    /// <param name="title">Chart title.</param>
    /// <param name="yTitle">What the values are, with their unit (e.g. "MSE per pixel").</param>
    /// <param name="series">Named series, e.g. ("train", trainLoss), ("test", testLoss).</param>
    public static LineChart OverEpochs(string title, string yTitle, params (string Name, IReadOnlyList<double> Values)[] series)
    {
        var traces = series.Select(s => new ChartTrace(s.Name, Epochs(s.Values.Count), s.Values.ToArray(), TraceKind.LinesAndMarkers)).ToList();
        return new LineChart(title, yTitle, traces, series.ToDictionary(s => s.Name, s => s.Values));
    }

    static double[] Epochs(int count) => Enumerable.Range(1, count).Select(e => (double)e).ToArray();

    /// <inheritdoc />
    public override string ToString() =>
        string.Join("; ", Series.Select(s => $"{s.Key}: {s.Value.Count} epochs, last {(s.Value.Count > 0 ? s.Value[^1].ToString("G4", CultureInfo.InvariantCulture) : "-")}"));
}
