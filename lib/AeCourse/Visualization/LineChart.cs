using System.Text.RegularExpressions;
using Plotly.NET;
using Plotly.NET.CSharp;
using PlotlyChart = Plotly.NET.CSharp.Chart;

namespace AeCourse.Visualization;

/// <summary>
/// An interactive line chart of one or more series over epochs (loss curves). Displays as a Plotly chart in a
/// notebook; <see cref="SaveHtml"/> writes a page that works offline.
/// </summary>
[TypeFormatterSource(typeof(LineChartFormatters))]
public sealed partial class LineChart
{
    const string PlotlyResource = "Plotly.NET.plotly-2.28.0.min.js";
    const string PlotlyCdn = "https://cdn.plot.ly/plotly-2.28.0.min.js";

    /// <summary>The Plotly.NET chart, for further styling.</summary>
    public GenericChart Chart { get; }

    /// <summary>The series, by name, as given.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<double>> Series { get; }

    LineChart(GenericChart chart, IReadOnlyDictionary<string, IReadOnlyList<double>> series)
    {
        Chart = chart;
        Series = series;
    }

    /// <summary>A chart of each series against epochs 1, 2, …</summary>
    /// <param name="title">Chart title.</param>
    /// <param name="yTitle">What the values are, with their unit (e.g. "MSE per pixel").</param>
    /// <param name="series">Named series, e.g. ("train", trainLoss), ("test", testLoss).</param>
    public static LineChart OverEpochs(string title, string yTitle, params (string Name, IReadOnlyList<double> Values)[] series)
    {
        var lines = series.Select(s => PlotlyChart.Line<int, double, string>(
            x: Enumerable.Range(1, s.Values.Count), y: s.Values, Name: s.Name, ShowMarkers: true));
        // Plotly.NET's title setter is an F# function: applied with Invoke.
        var chart = Plotly.NET.Chart.withTitle(title, null).Invoke(PlotlyChart.Combine(lines))
            .WithXAxisStyle<int, int, string>(TitleText: "epoch")
            .WithYAxisStyle<double, double, string>(TitleText: yTitle)
            .WithSize(720, 420);
        return new LineChart(chart, series.ToDictionary(s => s.Name, s => s.Values));
    }

    /// <summary>
    /// The chart as an HTML fragment. It draws with the page's plotly.js when there is one (the kit's rendered pages
    /// inline it), and otherwise loads plotly.js first (Polyglot Notebooks show HTML outputs in a web view).
    /// </summary>
    public string ToHtml()
    {
        var html = GenericChart.toChartHTML(Chart);
        return RenderCall().Replace(html, m =>
            $"(function () {{ var draw = function () {{ {m.Groups[1].Value}(); }};" +
            " if (window.Plotly) { draw(); return; }" +
            $" var s = document.createElement('script'); s.src = '{PlotlyCdn}'; s.onload = draw; document.head.appendChild(s); }})();");
    }

    /// <summary>Writes a standalone page with plotly.js inline (no network needed), atomically.</summary>
    public void SaveHtml(string path) =>
        IO.AtomicFile.WriteAllText(path, $"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><script>{PlotlyJs()}</script></head><body>{ToHtml()}</body></html>\n");

    /// <summary>plotly.js as shipped inside Plotly.NET, for pages that must work offline.</summary>
    public static string PlotlyJs()
    {
        using var stream = typeof(GenericChart).Assembly.GetManifestResourceStream(PlotlyResource)
                           ?? throw new InvalidOperationException($"{PlotlyResource} is missing from Plotly.NET");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <inheritdoc />
    public override string ToString() =>
        string.Join("; ", Series.Select(s => $"{s.Key}: {s.Value.Count} epochs, last {(s.Value.Count > 0 ? s.Value[^1].ToString("G4", System.Globalization.CultureInfo.InvariantCulture) : "-")}"));

    [GeneratedRegex(@"(renderPlotly_[0-9a-f]+)\(\);")]
    private static partial Regex RenderCall();
}

/// <summary>Formatters of <see cref="LineChart"/>: interactive HTML and a text summary.</summary>
sealed class LineChartFormatters
{
    public IEnumerable<object> CreateTypeFormatters() =>
    [
        new MimeFormatter<LineChart>("text/html", (c, w) => w.Write(c.ToHtml())),
        new MimeFormatter<LineChart>("text/plain", (c, w) => w.Write(c.ToString())),
    ];
}
