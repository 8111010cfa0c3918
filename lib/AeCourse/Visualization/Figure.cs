using System.Text.RegularExpressions;
using Plotly.NET;

namespace AeCourse.Visualization;

/// <summary>
/// An interactive Plotly chart made by the kit (loss curves, latent scatter, KL bars). Displays as the chart in a
/// notebook; <see cref="SaveHtml"/> writes a page that works offline.
/// </summary>
[TypeFormatterSource(typeof(FigureFormatters))]
public abstract partial class Figure
{
    const string PlotlyResource = "Plotly.NET.plotly-2.28.0.min.js";
    const string PlotlyCdn = "https://cdn.plot.ly/plotly-2.28.0.min.js";

    /// <summary>The Plotly.NET chart, for further styling.</summary>
    public GenericChart Chart { get; }

    /// <param name="chart">The chart, fully styled.</param>
    protected Figure(GenericChart chart) => Chart = chart;

    /// <summary>Applies Plotly.NET's title setter, an F# function.</summary>
    protected static GenericChart WithTitle(GenericChart chart, string title) => Plotly.NET.Chart.withTitle(title, null).Invoke(chart);

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

    [GeneratedRegex(@"(renderPlotly_[0-9a-f]+)\(\);")]
    private static partial Regex RenderCall();
}

/// <summary>Formatters of every <see cref="Figure"/>: interactive HTML and a text summary.</summary>
sealed class FigureFormatters
{
    public IEnumerable<object> CreateTypeFormatters() =>
    [
        new MimeFormatter<Figure>("text/html", (c, w) => w.Write(c.ToHtml())),
        new MimeFormatter<Figure>("text/plain", (c, w) => w.Write(c.ToString())),
    ];
}
