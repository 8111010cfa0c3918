using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace AeCourse.Visualization;

/// <summary>
/// A chart made by the kit (loss curves, latent scatter, KL bars), held as neutral data: traces, titles and a size.
/// In a notebook it displays as a PNG drawn here (<see cref="ToPng"/>), which every viewer shows, and where scripts
/// run also as the interactive plotly.js chart (<see cref="ToHtml"/>); <see cref="SaveHtml"/> writes a page.
/// </summary>
/// <remarks>No F# and no Plotly.NET: the kit's charts load in any notebook kernel, whatever FSharp.Core it brings.</remarks>
[TypeFormatterSource(typeof(FigureFormatters), PreferredMimeTypes = ["image/png", "text/html", "text/plain"])]
public abstract partial class Figure
{
    /// <summary>Where the HTML output loads plotly.js from when the page has none (the version Plotly.NET 6 ships).</summary>
    public const string PlotlyCdn = "https://cdn.plot.ly/plotly-2.28.0.min.js";

    static readonly System.Text.Json.JsonSerializerOptions ReadableJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    readonly Lazy<byte[]> _png;

    /// <param name="title">Chart title.</param>
    /// <param name="xTitle">Horizontal axis title; empty for none.</param>
    /// <param name="yTitle">Vertical axis title; empty for none.</param>
    /// <param name="width">Width in pixels, of the picture and of the interactive chart.</param>
    /// <param name="height">Height in pixels.</param>
    /// <param name="traces">The series, drawn in order (later ones on top).</param>
    /// <param name="categories">For bar charts: the category of each position 0, 1, …; null for a numeric x axis.</param>
    protected Figure(string title, string xTitle, string yTitle, int width, int height, IReadOnlyList<ChartTrace> traces,
        IReadOnlyList<string>? categories = null)
    {
        if (width < 1 || height < 1) throw new ArgumentOutOfRangeException(nameof(width), $"the size must be positive; got {width}×{height}");
        (Title, XTitle, YTitle, Width, Height, Traces, Categories) = (title, xTitle, yTitle, width, height, traces, categories);
        _png = new Lazy<byte[]>(() => Paint(Fonts.Caption));
    }

    /// <summary>Chart title.</summary>
    public string Title { get; }

    /// <summary>Horizontal axis title; empty for none.</summary>
    public string XTitle { get; }

    /// <summary>Vertical axis title; empty for none.</summary>
    public string YTitle { get; }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>The series, in drawing and legend order.</summary>
    public IReadOnlyList<ChartTrace> Traces { get; }

    /// <summary>The categories of a bar chart's x axis, by position; null when the x axis is numeric.</summary>
    public IReadOnlyList<string>? Categories { get; }

    /// <summary>The chart as a PNG (white ground, <see cref="Width"/> × <see cref="Height"/>), the same bytes for the same chart.</summary>
    public byte[] ToPng() => (byte[])_png.Value.Clone();

    /// <summary>Writes <see cref="ToPng"/> to a file (atomically).</summary>
    public void SavePng(string path) => IO.AtomicFile.WriteAllBytes(path, _png.Value);

    /// <summary>The chart as plotly.js draws it: <c>{ "data": [traces], "layout": { title, axes, size } }</c>, values exact.</summary>
    public JsonObject ToPlotlyJson() => new()
    {
        ["data"] = new JsonArray(Traces.Select(t => (JsonNode)TraceJson(t)).ToArray()),
        ["layout"] = new JsonObject
        {
            ["title"] = new JsonObject { ["text"] = Title, ["x"] = 0.05, ["xanchor"] = "left" },
            ["xaxis"] = AxisJson(XTitle, categorical: Categories is not null),
            ["yaxis"] = AxisJson(YTitle, categorical: false),
            ["width"] = Width,
            ["height"] = Height,
            ["showlegend"] = Traces.Any(t => t.Name.Length > 0),
            // The look of the PNG (plotly's own default template), so that the picture and the chart replacing it match.
            ["plot_bgcolor"] = "#e5ecf6",
            ["font"] = new JsonObject { ["color"] = "#2a3f5f" },
        },
    };

    /// <summary>
    /// The chart as an HTML fragment: a div holding the PNG, and a script that swaps in the interactive chart when
    /// plotly.js is on the page (the kit's rendered pages inline it) or can be loaded from <see cref="PlotlyCdn"/>.
    /// Where scripts do not run (GitHub, nbconvert to PDF) or the network is missing, the picture stays.
    /// </summary>
    public string ToHtml()
    {
        // Letters such as β stay as they are (the default encoder writes \u03B2); "</" is escaped below.
        var json = ToPlotlyJson().ToJsonString(ReadableJson);
        // From the content, so that the same chart gets the same id and a notebook written twice is byte-identical.
        var id = "aecourse-chart-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)).AsSpan(0, 6));
        var alt = WebUtility.HtmlEncode(Title);
        return $$"""
            <div id="{{id}}" class="aecourse-chart"><img src="data:image/png;base64,{{Convert.ToBase64String(_png.Value)}}" alt="{{alt}}" title="{{alt}}" width="{{Width}}" height="{{Height}}" style="max-width:100%;height:auto"></div>
            <script>
            (function () {
              var id = '{{id}}', figure = {{json.Replace("</", "<\\/", StringComparison.Ordinal)}};
              var draw = function () {
                var chart = document.getElementById(id);
                if (!chart || !window.Plotly) return;
                var picture = chart.firstElementChild;
                chart.textContent = '';
                Plotly.newPlot(id, figure.data, figure.layout, { responsive: true }).catch(function () {
                  chart.textContent = '';
                  if (picture) chart.appendChild(picture);
                });
              };
              if (window.Plotly) { draw(); return; }
              var script = document.createElement('script');
              script.src = '{{PlotlyCdn}}';
              script.onload = draw;   // on error (offline) the picture stays
              document.head.appendChild(script);
            })();
            </script>
            """;
    }

    /// <summary>Writes a standalone page with the chart, atomically.</summary>
    /// <param name="path">The .html file.</param>
    /// <param name="plotlyJs">plotly.js itself, inlined so that the page is interactive offline (the Notebooks project
    /// reads it from Plotly.NET); without it the page shows the picture offline and loads plotly.js when online.</param>
    public void SaveHtml(string path, string? plotlyJs = null)
    {
        var head = new StringBuilder()
            .Append("<meta charset=\"utf-8\">\n")
            .Append("<title>").Append(WebUtility.HtmlEncode(Title)).Append("</title>\n");
        if (plotlyJs is not null)
            head.Append("<script>").Append(ScriptEnd().Replace(plotlyJs, "<\\/$1")).Append("</script>\n");
        IO.AtomicFile.WriteAllText(path, $"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n{head}</head>\n<body>\n{ToHtml()}\n</body>\n</html>\n");
    }

    /// <summary>The picture with text in <paramref name="typeface"/>; null draws it without text.</summary>
    internal byte[] Paint(SkiaSharp.SKTypeface? typeface)
    {
        if (typeface is null && Title.Length > 0) Fonts.WarnMissing();
        return ChartPainter.Paint(this, typeface);
    }

    /// <summary>Where the plot area, axes and legend lie on the picture, with the kit's caption font.</summary>
    internal ChartFrame Frame()
    {
        using var fonts = ChartFonts.For(Fonts.Caption);
        return ChartFrame.Of(this, fonts);
    }

    JsonObject TraceJson(ChartTrace trace)
    {
        var json = new JsonObject();
        if (trace.Kind == TraceKind.Bars)
            json["type"] = "bar";
        else
        {
            json["type"] = "scatter";
            json["mode"] = trace.Kind switch { TraceKind.Lines => "lines", TraceKind.Markers => "markers", _ => "lines+markers" }
                           + (trace.Text is null ? "" : "+text");
        }
        if (trace.Name.Length > 0) json["name"] = trace.Name;
        json["x"] = trace.Kind == TraceKind.Bars && Categories is { } categories
            ? new JsonArray(trace.X.Select(x => (JsonNode?)CategoryAt(categories, x)).ToArray())
            : Numbers(trace.X);
        json["y"] = Numbers(trace.Y);
        if (trace.Text is { } text)
        {
            json["text"] = new JsonArray(text.Select(t => (JsonNode?)t).ToArray());
            json["textposition"] = "top right";
        }
        if (trace.Dashed) json["line"] = new JsonObject { ["dash"] = "dash" };
        return json;
    }

    static JsonObject AxisJson(string title, bool categorical)
    {
        var axis = new JsonObject { ["gridcolor"] = "white", ["zerolinecolor"] = "white", ["zerolinewidth"] = 2, ["showline"] = true, ["linecolor"] = "#2a3f5f" };
        if (title.Length > 0) axis["title"] = new JsonObject { ["text"] = title };
        // Categories such as "100" and "1000" would otherwise be read as numbers and placed far apart.
        if (categorical) axis["type"] = "category";
        return axis;
    }

    /// <summary>Values as JSON numbers (shortest round-trip form); a non-finite value is null, a gap to plotly.js.</summary>
    static JsonArray Numbers(IReadOnlyList<double> values) =>
        new(values.Select(v => double.IsFinite(v) ? JsonValue.Create(v) : null).ToArray<JsonNode?>());

    static string? CategoryAt(IReadOnlyList<string> categories, double position) =>
        position >= 0 && position < categories.Count && position == Math.Floor(position) ? categories[(int)position] : null;

    [GeneratedRegex("</(script)", RegexOptions.IgnoreCase)]
    private static partial Regex ScriptEnd();
}

/// <summary>
/// Formatters of every <see cref="Figure"/>: the PNG (shown by every notebook viewer), the HTML that becomes the
/// interactive chart where scripts run, and a text summary.
/// </summary>
sealed class FigureFormatters
{
    public IEnumerable<object> CreateTypeFormatters() =>
    [
        new MimeFormatter<Figure>("image/png", (f, w) => w.Write(Convert.ToBase64String(f.ToPng()))),
        new MimeFormatter<Figure>("text/html", (f, w) => w.Write(f.ToHtml())),
        new MimeFormatter<Figure>("text/plain", (f, w) => w.Write(f.ToString())),
    ];
}
