using System.Globalization;
using System.Reflection;
using System.Text.Json.Nodes;
using AeCourse.Metrics;
using AeCourse.Runtime;
using AeCourse.Visualization;
using SkiaSharp;
using static TorchSharp.torch;

namespace AeCourse.Tests;

/// <summary>
/// The kit's charts without a browser: the PNG drawn with SkiaSharp (decoded and measured pixel by pixel), the
/// plotly.js JSON, the HTML fragment and the notebook formatters. Their pages in Chromium are in <see cref="PictureTests"/>.
/// </summary>
public sealed class ChartTests
{
    static readonly SKColor FirstColour = new(0x1f, 0x77, 0xb4);   // plotly.js's first colour, #1f77b4
    static readonly SKColor SecondColour = new(0xff, 0x7f, 0x0e);  // and its second, #ff7f0e

    public ChartTests() => Setup.Initialize(seed: 0, device: "cpu", quiet: true);

    /// <summary>One chart of each kind, with the size the kit gives it.</summary>
    static IEnumerable<(Figure Chart, int Width, int Height)> EveryKind() =>
    [
        (LineChart.OverEpochs("Loss", "MSE per pixel", ("train", [0.05, 0.03, 0.02]), ("test", [0.06, 0.04, 0.03])), 720, 420),
        (BarChart.KlPerDimension(tensor(new float[] { 2.5f, 0.01f, 1, 0 })), 720, 400),
        (ScatterChart.ByClass(randn(30, 2, generator: new Generator(1)), arange(3).repeat_interleave(10), ["a", "b", "c"], "z of 30 images"), 720, 560),
        (RateDistortionChart.Of([("β = 1", new RateDistortion(25, 80)), ("β = 4", new RateDistortion(11, 102))]), 720, 480),
    ];

    [Fact]
    public void Given_a_chart_of_each_kind_When_drawn_Then_the_png_has_its_size_and_the_title_is_inked_in_the_title_band()
    {
        foreach (var (chart, width, height) in EveryKind())
        {
            using var bitmap = SKBitmap.Decode(chart.ToPng());
            Assert.NotNull(bitmap);
            Assert.Equal((width, height), (bitmap.Width, bitmap.Height));
            Assert.Equal(SKColors.White, bitmap.GetPixel(1, 1));   // white ground
            if (Fonts.Caption is not null)
                Assert.True(DarkPixels(bitmap, 0, width, 0, (int)ChartFrame.TitleBand) > 50, $"no title is written on {chart.GetType().Name}");
        }
    }

    [Fact]
    public void Given_a_chart_When_drawn_without_a_font_Then_it_has_no_text_but_still_its_traces()
    {
        var chart = BarChart.Of("Counts", "images", [("a", 1), ("b", 2)]);
        using var bitmap = SKBitmap.Decode(chart.Paint(typeface: null));

        Assert.Equal((720, 400), (bitmap.Width, bitmap.Height));
        Assert.Equal(0, DarkPixels(bitmap, 0, bitmap.Width, 0, (int)ChartFrame.TitleBand));
        Assert.True(ColourPixels(bitmap, FirstColour, 0, bitmap.Width, 0, bitmap.Height) > 1000, "the bars are missing");
    }

    [Fact]
    public void Given_a_line_of_known_points_When_drawn_Then_its_colour_lies_where_the_axis_mapping_puts_them_and_not_in_the_title_band()
    {
        // Epochs 1..4; 2 → 2 is flat, so the stroke (2 px wide) covers whole pixels halfway between those two points.
        double[] train = [3, 2, 2, 0.5];
        double[] test = [3.5, 3, 2.5, 1];
        var chart = LineChart.OverEpochs("Loss", "nats", ("train", train), ("test", test));
        var frame = chart.Frame();
        using var bitmap = SKBitmap.Decode(chart.ToPng());

        // The axes span the data (whole epochs, all values) inside the plot area.
        Assert.True(frame.X.Min < 1 && frame.X.Max > 4 && frame.Y.Min < 0.5 && frame.Y.Max > 3.5, $"{frame.X} {frame.Y}");
        Assert.Equal(["1", "2", "3", "4"], frame.X.Ticks.Select(t => t.Label));
        Assert.True(frame.PlotArea.Top >= ChartFrame.TitleBand && frame.PlotArea.Right < 720 && frame.PlotArea.Bottom < 420);
        for (int i = 0; i < train.Length; i++)
        {
            // Each point's marker (a dot of radius 3) fills the pixel holding its centre.
            AssertColourNear(FirstColour, bitmap.GetPixel((int)frame.PixelX(i + 1), (int)frame.PixelY(train[i])), $"train, epoch {i + 1}");
            AssertColourNear(SecondColour, bitmap.GetPixel((int)frame.PixelX(i + 1), (int)frame.PixelY(test[i])), $"test, epoch {i + 1}");
        }
        AssertColourNear(FirstColour, bitmap.GetPixel((int)frame.PixelX(2.5), (int)frame.PixelY(2)), "the line from epoch 2 to 3");
        Assert.Equal(0, ColourPixels(bitmap, FirstColour, 0, 720, 0, (int)ChartFrame.TitleBand));
        // Within the plot area the colour is only on the line: a wide band above the highest point is free of it.
        Assert.Equal(0, ColourPixels(bitmap, FirstColour, (int)frame.PlotArea.Left, (int)frame.PlotArea.Right,
            (int)frame.PlotArea.Top, (int)frame.PixelY(3) - 5));
    }

    [Fact]
    public void Given_bars_of_1_2_and_4_When_drawn_Then_their_heights_are_in_ratio_1_to_2_to_4_and_stand_on_zero()
    {
        var chart = BarChart.Of("Three bars", "value", [("a", 1), ("b", 2), ("c", 4)]);
        var frame = chart.Frame();
        using var bitmap = SKBitmap.Decode(chart.ToPng());

        var heights = Enumerable.Range(0, 3).Select(i => ColourPixels(bitmap, FirstColour, (int)frame.PixelX(i), (int)frame.PixelX(i) + 1, 0, bitmap.Height)).ToArray();
        Assert.True(heights[0] > 20, $"the first bar is {heights[0]} px high");
        Assert.InRange(heights[1] - 2 * heights[0], -2, 2);
        Assert.InRange(heights[2] - 4 * heights[0], -2, 2);
        Assert.InRange(heights[2] - (frame.PixelY(0) - frame.PixelY(4)), -2, 2);   // as the axis maps 0 and 4
        Assert.Equal(0, frame.Y.Min);   // bars grow from zero: no room below it
        Assert.Equal(["a", "b", "c"], frame.X.Ticks.Select(t => t.Label));
        // Bars are apart: the gap between two slots is plot ground, not bar.
        Assert.NotEqual(FirstColour, bitmap.GetPixel((int)frame.PixelX(0.5), (int)frame.PixelY(0.5)));
        if (Fonts.Caption is not null)   // each category is written under its bar
            for (int i = 0; i < 3; i++)
                Assert.True(DarkPixels(bitmap, (int)frame.PixelX(i) - 10, (int)frame.PixelX(i) + 10, (int)frame.PlotArea.Bottom + 3, (int)frame.PlotArea.Bottom + 25) > 5);
    }

    [Fact]
    public void Given_ranges_of_data_When_axes_are_made_Then_ticks_are_1_2_or_5_times_a_power_of_ten_inside_a_non_empty_range()
    {
        var axis = ChartAxis.Linear([0.1, 0.35], targetTicks: 5);
        Assert.Equal(["0.1", "0.15", "0.2", "0.25", "0.3", "0.35"], axis.Ticks.Select(t => t.Label));   // step 0.05, trailing zeros dropped
        Assert.Equal(["0", "2", "4", "6", "8", "10"], ChartAxis.Linear([0, 10], targetTicks: 5).Ticks.Select(t => t.Label));
        Assert.Equal(["1", "2"], ChartAxis.Linear([1, 2], targetTicks: 8).Ticks.Select(t => t.Label));   // whole epochs: no 1.5
        Assert.Equal(20_000, ChartAxis.NiceStep(90_000, 5));
        Assert.Equal(0.005, ChartAxis.NiceStep(0.018, 5), 15);

        Assert.Equal((-1.0, 1.0), (ChartAxis.Linear([0, 0]).Min, ChartAxis.Linear([0, 0]).Max));    // all equal: still a range
        Assert.Equal(2.7, ChartAxis.Linear([3, 3]).Min, 12);
        Assert.Equal(3.3, ChartAxis.Linear([3, 3]).Max, 12);
        Assert.Equal((0.0, 1.0), (ChartAxis.Linear([]).Min, ChartAxis.Linear([]).Max));             // no data at all
        Assert.Equal((0.0, 1.0), (ChartAxis.Linear([double.NaN]).Min, ChartAxis.Linear([double.NaN]).Max));
    }

    [Fact]
    public void Given_values_with_nan_and_infinity_or_none_When_drawn_Then_they_are_skipped_and_the_chart_is_still_drawn()
    {
        var gaps = LineChart.OverEpochs("Gaps", "loss", ("train", [1, double.NaN, double.PositiveInfinity, 2, double.NegativeInfinity]));
        var frame = gaps.Frame();
        Assert.InRange(frame.Y.Min, 0.9, 1);   // the range is that of 1 and 2, with 5% room
        Assert.InRange(frame.Y.Max, 2, 2.1);
        using (var bitmap = SKBitmap.Decode(gaps.ToPng()))
        {
            AssertColourNear(FirstColour, bitmap.GetPixel((int)frame.PixelX(4), (int)frame.PixelY(2)), "the point after the gap");
            // No line across the gap: halfway from epoch 1 to 4 lies only plot ground.
            Assert.Equal(0, ColourPixels(bitmap, FirstColour, (int)frame.PixelX(2.5) - 1, (int)frame.PixelX(2.5) + 2, 0, bitmap.Height));
        }
        var y = gaps.ToPlotlyJson()["data"]![0]!["y"]!.AsArray();
        Assert.Equal([1.0, null, null, 2.0, null], y.Select(v => v?.GetValue<double>()));   // gaps are null to plotly.js

        var bars = BarChart.Of("Gaps", "value", [("a", double.NaN), ("b", 2)]);
        using (var bitmap = SKBitmap.Decode(bars.ToPng()))
            Assert.Equal(0, ColourPixels(bitmap, FirstColour, (int)bars.Frame().PixelX(0), (int)bars.Frame().PixelX(0) + 1, 0, bitmap.Height));

        Figure[] degenerate =
        [
            LineChart.OverEpochs("Nothing yet", "loss", ("train", [])),
            LineChart.OverEpochs("Flat", "loss", ("train", [0.3, 0.3, 0.3])),
            LineChart.OverEpochs("No series", "loss"),
            BarChart.Of("No bars", "value", []),
            LineChart.OverEpochs("Only gaps", "loss", ("train", [double.NaN, double.NaN])),
        ];
        foreach (var chart in degenerate)
        {
            using var bitmap = SKBitmap.Decode(chart.ToPng());
            Assert.Equal((720, chart.Height), (bitmap.Width, bitmap.Height));
            var f = chart.Frame();
            Assert.True(f.Y.Max > f.Y.Min && f.X.Max > f.X.Min && double.IsFinite(f.Y.Max - f.Y.Min), $"{chart.Title}: {f.X} {f.Y}");
        }
    }

    [Fact]
    public void Given_charts_When_turned_to_plotly_json_Then_the_traces_hold_the_exact_values_and_names_in_any_culture()
    {
        double[] values = [0.1 + 0.2, 1e-7, 123456.789, 1.0 / 3];
        var culture = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");   // decimal comma: must not leak into JSON
        try
        {
            var json = LineChart.OverEpochs("Loss", "nats", ("train", values), ("test", [2, 1])).ToPlotlyJson();
            var text = json.ToJsonString();
            Assert.Contains("0.30000000000000004", text);
            var round = JsonNode.Parse(text)!;
            var data = round["data"]!.AsArray();
            Assert.Equal(["train", "test"], data.Select(t => t!["name"]!.GetValue<string>()));
            Assert.All(data, t => Assert.Equal(("scatter", "lines+markers"), (t!["type"]!.GetValue<string>(), t["mode"]!.GetValue<string>())));
            Assert.Equal(values, data[0]!["y"]!.AsArray().Select(v => v!.GetValue<double>()));   // bit for bit
            Assert.Equal([1.0, 2, 3, 4], data[0]!["x"]!.AsArray().Select(v => v!.GetValue<double>()));
            var layout = round["layout"]!;
            Assert.Equal("Loss", layout["title"]!["text"]!.GetValue<string>());
            Assert.Equal("epoch", layout["xaxis"]!["title"]!["text"]!.GetValue<string>());
            Assert.Equal("nats", layout["yaxis"]!["title"]!["text"]!.GetValue<string>());
            Assert.Equal((720, 420), (layout["width"]!.GetValue<int>(), layout["height"]!.GetValue<int>()));
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }

        var bars = BarChart.Of("Accuracy", "share", [("100", 0.5), ("1000", 0.75)]).ToPlotlyJson();
        var bar = bars["data"]![0]!;
        Assert.Equal("bar", bar["type"]!.GetValue<string>());
        Assert.Equal(["100", "1000"], bar["x"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Equal([0.5, 0.75], bar["y"]!.AsArray().Select(v => v!.GetValue<double>()));
        Assert.Equal("category", bars["layout"]!["xaxis"]!["type"]!.GetValue<string>());   // "100" is a name, not a position

        var scatter = ScatterChart.ByClass(tensor(new double[,] { { 0.5, -1 }, { 2, 3 } }), tensor(new long[] { 1, 1 }), ["empty", "full"], "z").ToPlotlyJson();
        var points = Assert.Single(scatter["data"]!.AsArray())!;   // a class without points has no trace
        Assert.Equal(("full", "markers"), (points["name"]!.GetValue<string>(), points["mode"]!.GetValue<string>()));
        Assert.Equal([0.5, 2], points["x"]!.AsArray().Select(v => v!.GetValue<double>()));
        Assert.Equal([-1.0, 3], points["y"]!.AsArray().Select(v => v!.GetValue<double>()));

        var planes = RateDistortionChart.Of([("β = 1", new RateDistortion(25, 80)), ("β = 4", new RateDistortion(11, 102))]).ToPlotlyJson()["data"]!.AsArray();
        Assert.Equal("lines+markers+text", planes[0]!["mode"]!.GetValue<string>());
        Assert.Equal(["β = 1", "β = 4"], planes[0]!["text"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Equal(("lines", "dash"), (planes[1]!["mode"]!.GetValue<string>(), planes[1]!["line"]!["dash"]!.GetValue<string>()));
        Assert.Equal("rate + distortion = 105.0", planes[1]!["name"]!.GetValue<string>());
        Assert.Equal([105.0, 105 - (25 * 1.1 + 1)], planes[1]!["y"]!.AsArray().Select(v => v!.GetValue<double>()));
    }

    [Fact]
    public void Given_a_figure_When_its_formatters_are_made_as_a_front_end_does_Then_they_give_png_html_and_text_in_that_order()
    {
        var chart = LineChart.OverEpochs("Loss", "nats", ("train", [2, 1]));
        // As Polyglot Notebooks and the kit's engine find them: by the attribute's name and the methods' names.
        var attribute = chart.GetType().GetCustomAttributes(inherit: true).Single(a => a.GetType().Name == "TypeFormatterSourceAttribute");
        var source = Activator.CreateInstance((Type)attribute.GetType().GetProperty("FormatterSourceType")!.GetValue(attribute)!, nonPublic: true)!;
        var formatters = ((IEnumerable<object>)source.GetType().GetMethod("CreateTypeFormatters")!.Invoke(source, null)!).ToList();
        string[] order = ["image/png", "text/html", "text/plain"];

        Assert.Equal(order, formatters.Select(f => (string)f.GetType().GetProperty("MimeType")!.GetValue(f)!));
        Assert.Equal(order, (string[])attribute.GetType().GetProperty("PreferredMimeTypes")!.GetValue(attribute)!);
        var written = formatters.Select(f =>
        {
            using var writer = new StringWriter();
            Assert.True((bool)f.GetType().GetMethod("Format")!.Invoke(f, [chart, writer])!);
            return writer.ToString();
        }).ToList();
        Assert.Equal(chart.ToPng(), Convert.FromBase64String(written[0]));
        Assert.Equal(chart.ToHtml(), written[1]);
        Assert.Equal("train: 2 epochs, last 1", written[2]);
    }

    [Fact]
    public void Given_a_figure_When_shown_as_html_Then_its_div_holds_the_picture_and_a_script_draws_plotly_into_it()
    {
        var chart = LineChart.OverEpochs("Loss </script><b>", "nats", ("train", [2, 1]));
        var html = chart.ToHtml();
        var id = System.Text.RegularExpressions.Regex.Match(html, "^<div id=\"(aecourse-chart-[0-9a-f]{12})\"").Groups[1].Value;

        Assert.NotEmpty(id);
        Assert.Contains($"<img src=\"data:image/png;base64,{Convert.ToBase64String(chart.ToPng())}\" alt=\"Loss &lt;/script&gt;&lt;b&gt;\"", html);
        Assert.Contains($"var id = '{id}'", html);
        Assert.Contains("Plotly.newPlot(id, figure.data, figure.layout, { responsive: true })", html);
        Assert.Contains("if (window.Plotly) { draw(); return; }", html);
        Assert.Contains($"script.src = '{Figure.PlotlyCdn}'", html);
        // The title inside the script cannot end it early: the only "</script" is the script's own end.
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(html, "</script", System.Text.RegularExpressions.RegexOptions.IgnoreCase));
        Assert.EndsWith("</script>", html.TrimEnd());
    }

    [Fact]
    public void Given_the_same_chart_twice_When_drawn_Then_png_and_html_are_byte_identical_and_another_chart_gets_another_id()
    {
        Figure Make(double last) => RateDistortionChart.Of([("β = 1", new RateDistortion(25, 80)), ("β = 4", new RateDistortion(11, last))]);
        var (one, two, other) = (Make(102), Make(102), Make(103));

        Assert.Equal(one.ToPng(), two.ToPng());
        Assert.Equal(one.ToHtml(), two.ToHtml());
        Assert.Equal(one.ToPng(), one.Paint(Fonts.Caption));   // drawn again, not only cached
        Assert.NotEqual(one.ToPng(), other.ToPng());
        Assert.NotEqual(one.ToHtml()[..40], other.ToHtml()[..40]);   // the div ids differ
    }

    static int DarkPixels(SKBitmap bitmap, int x0, int x1, int y0, int y1)
    {
        int dark = 0;
        for (int y = Math.Max(0, y0); y < Math.Min(bitmap.Height, y1); y++)
            for (int x = Math.Max(0, x0); x < Math.Min(bitmap.Width, x1); x++)
                if (bitmap.GetPixel(x, y).Red < 128) dark++;
        return dark;
    }

    static int ColourPixels(SKBitmap bitmap, SKColor colour, int x0, int x1, int y0, int y1)
    {
        int count = 0;
        for (int y = Math.Max(0, y0); y < Math.Min(bitmap.Height, y1); y++)
            for (int x = Math.Max(0, x0); x < Math.Min(bitmap.Width, x1); x++)
                if (bitmap.GetPixel(x, y) == colour) count++;
        return count;
    }

    /// <summary>Within 8 per channel: a marker's pixel may be blended a little at its rim, never a different colour.</summary>
    static void AssertColourNear(SKColor expected, SKColor actual, string where) =>
        Assert.True(Math.Abs(expected.Red - actual.Red) <= 8 && Math.Abs(expected.Green - actual.Green) <= 8 && Math.Abs(expected.Blue - actual.Blue) <= 8,
            $"{where}: expected {expected}, found {actual}");
}
