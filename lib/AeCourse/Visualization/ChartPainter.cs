using SkiaSharp;

namespace AeCourse.Visualization;

/// <summary>
/// Draws a <see cref="Figure"/> as a PNG with SkiaSharp, in plotly.js's default look (its colour cycle, a pale plot
/// area with white grid lines), so that the picture a notebook keeps matches the interactive chart it may show.
/// </summary>
internal static class ChartPainter
{
    /// <summary>plotly.js's default colour cycle: trace i gets colour i mod 10.</summary>
    static readonly SKColor[] Colourway =
    [
        new(0x1f, 0x77, 0xb4), new(0xff, 0x7f, 0x0e), new(0x2c, 0xa0, 0x2c), new(0xd6, 0x27, 0x28), new(0x94, 0x67, 0xbd),
        new(0x8c, 0x56, 0x4b), new(0xe3, 0x77, 0xc2), new(0x7f, 0x7f, 0x7f), new(0xbc, 0xbd, 0x22), new(0x17, 0xbe, 0xcf),
    ];

    /// <summary>Text and axis colour (plotly.js's dark slate).</summary>
    static readonly SKColor Ink = new(0x2a, 0x3f, 0x5f);

    /// <summary>Ground of the plot area (plotly.js's default template).</summary>
    static readonly SKColor PlotGround = new(0xe5, 0xec, 0xf6);

    const float LineWidth = 2;
    const float MarkerRadius = 3;
    const byte ScatterAlpha = 190;   // overlapping points of a dense scatter stay distinguishable

    /// <summary>The colour of trace <paramref name="index"/>.</summary>
    public static SKColor ColourOf(int index) => Colourway[index % Colourway.Length];

    /// <summary>The figure as PNG bytes, text in <paramref name="typeface"/> (none when it is null).</summary>
    public static byte[] Paint(Figure figure, SKTypeface? typeface)
    {
        using var fonts = ChartFonts.For(typeface);
        var frame = ChartFrame.Of(figure, fonts);
        using var bitmap = new SKBitmap(figure.Width, figure.Height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.White);
            DrawGround(canvas, frame);
            canvas.Save();
            canvas.ClipRect(frame.PlotArea);   // a trace running out of range (a guide line) stays in the plot
            DrawBars(canvas, figure, frame);
            for (int i = 0; i < figure.Traces.Count; i++)
                if (figure.Traces[i].Kind != TraceKind.Bars) DrawTrace(canvas, figure.Traces[i], ColourOf(i), frame);
            canvas.Restore();
            if (fonts is not null) DrawText(canvas, figure, frame, fonts);
        }
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>The plot area, its grid at the ticks, the zero line, and the two axis lines.</summary>
    static void DrawGround(SKCanvas canvas, ChartFrame frame)
    {
        var area = frame.PlotArea;
        using (var ground = new SKPaint { Color = PlotGround, Style = SKPaintStyle.Fill })
            canvas.DrawRect(area, ground);
        using (var grid = new SKPaint { Color = SKColors.White, StrokeWidth = 1, Style = SKPaintStyle.Stroke })
        {
            foreach (var (value, _) in frame.Y.Ticks)
            {
                float y = Crisp(frame.PixelY(value));
                canvas.DrawLine(area.Left, y, area.Right, y, grid);
            }
            // A categorical axis has no grid: its ticks are the bars themselves.
            if (!frame.X.IsCategorical)
                foreach (var (value, _) in frame.X.Ticks)
                {
                    float x = Crisp(frame.PixelX(value));
                    canvas.DrawLine(x, area.Top, x, area.Bottom, grid);
                }
            if (frame.Y.Min < 0 && frame.Y.Max > 0)
            {
                grid.StrokeWidth = 2;
                float zero = frame.PixelY(0);
                canvas.DrawLine(area.Left, zero, area.Right, zero, grid);
            }
        }
        using var axis = new SKPaint { Color = Ink, StrokeWidth = 1, Style = SKPaintStyle.Stroke };
        canvas.DrawLine(area.Left - 0.5f, area.Bottom + 0.5f, area.Right, area.Bottom + 0.5f, axis);
        canvas.DrawLine(area.Left - 0.5f, area.Top, area.Left - 0.5f, area.Bottom + 0.5f, axis);
    }

    /// <summary>A 1-pixel line's coordinate, moved to a pixel centre so that it is drawn sharp, not as two grey rows.</summary>
    static float Crisp(float position) => MathF.Floor(position) + 0.5f;

    /// <summary>
    /// Every bar trace, grouped side by side within each category's slot (80% of it, as plotly.js leaves a 20% gap).
    /// Edges fall on whole pixels and are not smoothed, so each bar is one flat colour.
    /// </summary>
    static void DrawBars(SKCanvas canvas, Figure figure, ChartFrame frame)
    {
        var bars = Enumerable.Range(0, figure.Traces.Count).Where(i => figure.Traces[i].Kind == TraceKind.Bars).ToList();
        if (bars.Count == 0) return;
        float slot = frame.PlotArea.Width / (float)(frame.X.Max - frame.X.Min);
        float width = 0.8f * slot / bars.Count;
        float baseline = frame.PixelY(Math.Clamp(0, frame.Y.Min, frame.Y.Max));
        for (int k = 0; k < bars.Count; k++)
        {
            using var fill = new SKPaint { Color = ColourOf(bars[k]), Style = SKPaintStyle.Fill, IsAntialias = false };
            foreach (var (_, x, y) in figure.Traces[bars[k]].FinitePoints())
            {
                float left = frame.PixelX(x) - 0.4f * slot + k * width;
                float top = frame.PixelY(y);
                canvas.DrawRect(SKRect.Create(MathF.Round(left), MathF.Round(Math.Min(top, baseline)),
                    MathF.Round(width), MathF.Round(Math.Abs(baseline - top))), fill);
            }
        }
    }

    /// <summary>A line, markers, or both; non-finite points break the line, as plotly.js leaves gaps.</summary>
    static void DrawTrace(SKCanvas canvas, ChartTrace trace, SKColor colour, ChartFrame frame)
    {
        if (trace.Kind is TraceKind.LinesAndMarkers or TraceKind.Lines)
        {
            using var builder = new SKPathBuilder();
            bool drawing = false;
            for (int i = 0; i < trace.X.Count; i++)
            {
                if (!double.IsFinite(trace.X[i]) || !double.IsFinite(trace.Y[i]))
                {
                    drawing = false;
                    continue;
                }
                var point = new SKPoint(frame.PixelX(trace.X[i]), frame.PixelY(trace.Y[i]));
                if (drawing) builder.LineTo(point);
                else builder.MoveTo(point);
                drawing = true;
            }
            using var path = builder.Detach();
            using var stroke = LinePaint(colour, trace.Dashed);
            canvas.DrawPath(path, stroke);
        }
        if (trace.Kind is TraceKind.LinesAndMarkers or TraceKind.Markers)
        {
            using var dot = MarkerPaint(colour, trace.Kind);
            foreach (var (_, x, y) in trace.FinitePoints())
                canvas.DrawCircle(frame.PixelX(x), frame.PixelY(y), MarkerRadius, dot);
        }
    }

    static SKPaint LinePaint(SKColor colour, bool dashed)
    {
        var paint = new SKPaint
        {
            Color = colour, StrokeWidth = LineWidth, Style = SKPaintStyle.Stroke, IsAntialias = true,
            StrokeJoin = SKStrokeJoin.Round, StrokeCap = dashed ? SKStrokeCap.Butt : SKStrokeCap.Round,
        };
        if (dashed) paint.PathEffect = SKPathEffect.CreateDash([8, 6], 0);   // the paint disposes its effect
        return paint;
    }

    static SKPaint MarkerPaint(SKColor colour, TraceKind kind) => new()
    {
        Color = kind == TraceKind.Markers ? colour.WithAlpha(ScatterAlpha) : colour, Style = SKPaintStyle.Fill, IsAntialias = true,
    };

    /// <summary>Everything written: tick labels, axis titles, the title, point labels and the legend.</summary>
    static void DrawText(SKCanvas canvas, Figure figure, ChartFrame frame, ChartFonts fonts)
    {
        using var ink = new SKPaint { Color = Ink, IsAntialias = true };
        var area = frame.PlotArea;
        foreach (var (value, label) in frame.Y.Ticks)
            canvas.DrawText(label, area.Left - 8, Middle(frame.PixelY(value), fonts.Tick), SKTextAlign.Right, fonts.Tick, ink);
        DrawXTickLabels(canvas, frame, fonts.Tick, ink);

        if (figure.XTitle.Length > 0)
            canvas.DrawText(figure.XTitle, area.MidX, area.Bottom + 44, SKTextAlign.Center, fonts.AxisTitle, ink);
        if (figure.YTitle.Length > 0)
        {
            // Rotated a quarter turn back, reading upwards beside the axis; the glyphs lie left of the baseline.
            canvas.Save();
            canvas.RotateDegrees(-90, 24, area.MidY);
            canvas.DrawText(figure.YTitle, 24, area.MidY, SKTextAlign.Center, fonts.AxisTitle, ink);
            canvas.Restore();
        }
        if (figure.Title.Length > 0)
            canvas.DrawText(figure.Title, area.Left, 32, SKTextAlign.Left, fonts.Title, ink);

        for (int i = 0; i < figure.Traces.Count; i++)
            if (figure.Traces[i].Text is { } text)
                foreach (var (index, x, y) in figure.Traces[i].FinitePoints())
                    canvas.DrawText(text[index], frame.PixelX(x) + 6, frame.PixelY(y) - 6, SKTextAlign.Left, fonts.Tick, ink);

        DrawLegend(canvas, figure, frame, fonts.Tick, ink);
    }

    /// <summary>Tick labels under the plot; on a crowded categorical axis only every k-th, so that none overlap.</summary>
    static void DrawXTickLabels(SKCanvas canvas, ChartFrame frame, SKFont font, SKPaint ink)
    {
        var ticks = frame.X.Ticks;
        if (ticks.Count == 0) return;
        float widest = ticks.Max(t => font.MeasureText(t.Label)) + 8;
        float spacing = ticks.Count > 1 ? Math.Abs(frame.PixelX(ticks[1].Value) - frame.PixelX(ticks[0].Value)) : float.MaxValue;
        int every = Math.Max(1, (int)Math.Ceiling(widest / spacing));
        for (int i = 0; i < ticks.Count; i += every)
            canvas.DrawText(ticks[i].Label, frame.PixelX(ticks[i].Value), frame.PlotArea.Bottom + 18, SKTextAlign.Center, font, ink);
    }

    /// <summary>One row per named trace beside the plot: a sample of how it is drawn, then its name.</summary>
    static void DrawLegend(SKCanvas canvas, Figure figure, ChartFrame frame, SKFont font, SKPaint ink)
    {
        float left = frame.PlotArea.Right + 16, top = frame.PlotArea.Top + 4;
        for (int row = 0; row < frame.Legend.Count; row++)
        {
            int index = frame.Legend[row];
            var trace = figure.Traces[index];
            var colour = ColourOf(index);
            float middle = top + (row + 0.5f) * ChartFrame.LegendRow;
            switch (trace.Kind)
            {
                case TraceKind.Bars:
                    using (var fill = new SKPaint { Color = colour, Style = SKPaintStyle.Fill })
                        canvas.DrawRect(SKRect.Create(left + 8, middle - 6, 12, 12), fill);
                    break;
                case TraceKind.Markers:
                    using (var dot = MarkerPaint(colour, trace.Kind))
                        canvas.DrawCircle(left + ChartFrame.LegendSample / 2, middle, MarkerRadius + 1, dot);
                    break;
                default:
                    using (var stroke = LinePaint(colour, trace.Dashed))
                        canvas.DrawLine(left, middle, left + ChartFrame.LegendSample, middle, stroke);
                    if (trace.Kind == TraceKind.LinesAndMarkers)
                        using (var dot = MarkerPaint(colour, trace.Kind))
                            canvas.DrawCircle(left + ChartFrame.LegendSample / 2, middle, MarkerRadius, dot);
                    break;
            }
            canvas.DrawText(trace.Name, left + ChartFrame.LegendSample + 6, Middle(middle, font), SKTextAlign.Left, font, ink);
        }
    }

    /// <summary>The baseline that centres a line of text on <paramref name="y"/>.</summary>
    static float Middle(float y, SKFont font) => y - (font.Metrics.Ascent + font.Metrics.Descent) / 2;
}
