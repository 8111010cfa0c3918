using System.Globalization;
using SkiaSharp;

namespace AeCourse.Visualization;

/// <summary>One axis of a chart: the value range it spans and its labelled ticks.</summary>
/// <param name="Min">Value at the left (or bottom) edge of the plot area.</param>
/// <param name="Max">Value at the right (or top) edge; always above <paramref name="Min"/>.</param>
/// <param name="Ticks">Tick values inside [Min, Max], with their labels.</param>
/// <param name="IsCategorical">Whether the ticks are categories (bars) rather than values.</param>
internal sealed record ChartAxis(double Min, double Max, IReadOnlyList<(double Value, string Label)> Ticks, bool IsCategorical = false)
{
    /// <summary>An axis over the finite values of <paramref name="values"/> with "nice" ticks (1, 2 or 5 × 10^k).</summary>
    /// <param name="values">The data along this axis; non-finite ones are ignored.</param>
    /// <param name="targetTicks">About how many ticks fit.</param>
    /// <param name="includeZero">Whether zero must be in range (bars grow from it).</param>
    public static ChartAxis Linear(IEnumerable<double> values, int targetTicks = 5, bool includeZero = false)
    {
        var finite = values.Where(double.IsFinite).ToList();
        if (includeZero) finite.Add(0);
        var (min, max) = Padded(finite, includeZero);
        double step = NiceStep(max - min, Math.Max(2, targetTicks));
        // Whole-number data (epochs, counts) gets whole-number ticks: no "epoch 1.5".
        if (finite.Count > 0 && finite.All(v => v == Math.Round(v))) step = Math.Max(step, 1);
        return new ChartAxis(min, max, TicksOf(min, max, step));
    }

    /// <summary>A categorical axis: category i sits at position i, with a slot of width 1 around it.</summary>
    public static ChartAxis Categorical(IReadOnlyList<string> categories) =>
        new(-0.5, Math.Max(1, categories.Count) - 0.5, categories.Select((c, i) => ((double)i, c)).ToList(), IsCategorical: true);

    /// <summary>The data range with 5% room on each side (none below zero for bars); never empty.</summary>
    static (double Min, double Max) Padded(List<double> values, bool fromZero)
    {
        if (values.Count == 0) return (0, 1);
        double min = values.Min(), max = values.Max();
        if (!double.IsFinite(max - min))   // e.g. ±1e308: keep the range representable
            (min, max) = (min / 2, max / 2);
        if (min == max)
        {
            // One value (or all equal): centre it in a range of its own size, as plotly.js does.
            double half = min == 0 ? 1 : Math.Abs(min) / 10;
            return (min - half, max + half);
        }
        double pad = (max - min) * 0.05;
        return (fromZero && min == 0 ? 0 : min - pad, fromZero && max == 0 ? 0 : max + pad);
    }

    /// <summary>The 1, 2 or 5 × 10^k step closest to dividing <paramref name="span"/> into <paramref name="target"/> parts.</summary>
    internal static double NiceStep(double span, int target)
    {
        double raw = span / target;
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double normalized = raw / magnitude;
        double nice = normalized < 1.5 ? 1 : normalized < 3.5 ? 2 : normalized < 7.5 ? 5 : 10;
        return nice * magnitude;
    }

    static List<(double, string)> TicksOf(double min, double max, double step)
    {
        // Decimals the step needs (0.05 → 2); "#" places drop trailing zeros, as plotly.js writes 0.1 after 0.05.
        int decimals = Math.Max(0, (int)Math.Ceiling(-Math.Log10(step) - 1e-9));
        bool scientific = decimals > 6 || Math.Max(Math.Abs(min), Math.Abs(max)) >= 1e7;
        string format = scientific ? "0.###E+0" : decimals == 0 ? "0" : "0." + new string('#', decimals);
        var ticks = new List<(double, string)>();
        // Multiples of the step (k · step, not a running sum, so that no rounding error accumulates).
        for (long k = (long)Math.Ceiling(min / step); k * step <= max + step * 1e-9 && ticks.Count < 100; k++)
        {
            double value = k * step;
            ticks.Add((value, value.ToString(format, CultureInfo.InvariantCulture)));
        }
        return ticks;
    }
}

/// <summary>
/// Where a figure's parts go on its picture: the plot area, the two axes, and the legend column to its right. Made
/// from the figure and the fonts alone, so that tests can find where a value is drawn.
/// </summary>
/// <param name="PlotArea">The rectangle the traces are drawn in, in pixels.</param>
/// <param name="X">The horizontal axis.</param>
/// <param name="Y">The vertical axis.</param>
/// <param name="Legend">The named traces, in legend order (empty when there is no font to write their names).</param>
internal sealed record ChartFrame(SKRect PlotArea, ChartAxis X, ChartAxis Y, IReadOnlyList<int> Legend)
{
    /// <summary>Rows from the top kept for the title; nothing else is drawn there.</summary>
    public const float TitleBand = 50;

    /// <summary>Space from the plot area's bottom edge to the picture's, for tick labels and the axis title.</summary>
    const float BottomMargin = 62;

    /// <summary>Width of a legend entry's sample (a short line, a dot or a square).</summary>
    public const float LegendSample = 28;

    /// <summary>Height of one legend row.</summary>
    public const float LegendRow = 20;

    /// <summary>Horizontal pixel of <paramref name="x"/>.</summary>
    public float PixelX(double x) => PlotArea.Left + (float)((x - X.Min) / (X.Max - X.Min) * PlotArea.Width);

    /// <summary>Vertical pixel of <paramref name="y"/> (larger values higher up).</summary>
    public float PixelY(double y) => PlotArea.Bottom - (float)((y - Y.Min) / (Y.Max - Y.Min) * PlotArea.Height);

    /// <summary>The frame of <paramref name="figure"/>; <paramref name="fonts"/> null when text cannot be drawn.</summary>
    public static ChartFrame Of(Figure figure, ChartFonts? fonts)
    {
        float top = TitleBand + 10, bottom = Math.Max(top + 1, figure.Height - BottomMargin);
        var y = ChartAxis.Linear(figure.Traces.SelectMany(t => t.Y), targetTicks: (int)((bottom - top) / 55),
            includeZero: figure.Traces.Any(t => t.Kind == TraceKind.Bars));

        // Left: the y tick labels, right-aligned, and the rotated y title beyond them.
        float tickWidth = fonts is null ? 0 : y.Ticks.Select(t => fonts.Tick.MeasureText(t.Label)).DefaultIfEmpty(0).Max();
        float left = Math.Max(60, 36 + tickWidth + 8);

        // Right: the legend column, as wide as its longest name.
        var legend = fonts is null ? [] : Enumerable.Range(0, figure.Traces.Count).Where(i => figure.Traces[i].Name.Length > 0).ToList();
        float legendWidth = legend.Count == 0 ? 0 : 16 + LegendSample + 6 + legend.Max(i => fonts!.Tick.MeasureText(figure.Traces[i].Name)) + 20;
        float right = Math.Max(left + 1, figure.Width - (legend.Count > 0 ? legendWidth : 30));

        var x = figure.Categories is { } categories
            ? ChartAxis.Categorical(categories)
            : ChartAxis.Linear(figure.Traces.SelectMany(t => t.X), targetTicks: (int)((right - left) / 90));
        return new ChartFrame(new SKRect(left, top, right, bottom), x, y, legend);
    }
}

/// <summary>The fonts of a chart picture, all in the caption typeface.</summary>
internal sealed class ChartFonts : IDisposable
{
    ChartFonts(SKTypeface typeface)
    {
        Title = new SKFont(typeface, 17);
        AxisTitle = new SKFont(typeface, 14);
        Tick = new SKFont(typeface, 12);
    }

    /// <summary>The chart title.</summary>
    public SKFont Title { get; }

    /// <summary>Axis titles.</summary>
    public SKFont AxisTitle { get; }

    /// <summary>Tick labels, legend names and point labels.</summary>
    public SKFont Tick { get; }

    /// <summary>The fonts in <paramref name="typeface"/>, or null without one (pictures are then drawn without text).</summary>
    public static ChartFonts? For(SKTypeface? typeface) => typeface is null ? null : new ChartFonts(typeface);

    public void Dispose()
    {
        Title.Dispose();
        AxisTitle.Dispose();
        Tick.Dispose();
    }
}
