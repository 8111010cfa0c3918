using SkiaSharp;
using static TorchSharp.torch;

namespace AeCourse.Visualization;

/// <summary>
/// Tiles grey images (0 = black, 1 = white, as in the datasets) into one picture on a white ground: a plain grid, or
/// labelled rows such as original / noisy / reconstructed.
/// </summary>
public static class ImageGrid
{
    /// <summary>Encodes images as a PNG grid.</summary>
    /// <param name="images">[N, 1, H, W], [N, H, W], or [N, 784] (taken as 28×28), values in [0, 1] (clamped).</param>
    /// <param name="columns">Images per row.</param>
    /// <param name="scale">Screen pixels per image pixel (nearest neighbour).</param>
    /// <param name="padding">Gap between images, in screen pixels.</param>
    public static byte[] ToPng(Tensor images, int columns = 10, int scale = 2, int padding = 2)
    {
        using var bitmap = Tiles(images, columns, scale, padding);
        return Encode(bitmap);
    }

    /// <summary>The grid as a <see cref="Picture"/>: shown as an image when it is a notebook cell's result.</summary>
    public static Picture Show(Tensor images, int columns = 10, int scale = 2, int padding = 2, string caption = "") =>
        new(ToPng(images, columns, scale, padding), caption);

    /// <summary>Writes the grid to a PNG file (atomically).</summary>
    public static void Save(Tensor images, string path, int columns = 10, int scale = 2, int padding = 2) =>
        IO.AtomicFile.WriteAllBytes(path, ToPng(images, columns, scale, padding));

    /// <summary>
    /// One row per entry, its label written to the left: e.g. <c>Rows(("original", x), ("noisy", xNoisy), ("reconstructed", xHat))</c>.
    /// Every row is one line of images; rows may differ in length.
    /// </summary>
    public static Picture Rows(params (string Label, Tensor Images)[] rows) => Rows(rows, scale: 2, padding: 2);

    /// <inheritdoc cref="Rows(ValueTuple{string, Tensor}[])"/>
    /// <param name="rows">(label, images) per row.</param>
    /// <param name="scale">Screen pixels per image pixel.</param>
    /// <param name="padding">Gap between images, in screen pixels.</param>
    /// <param name="caption">Alternative text of the picture; by default the labels.</param>
    public static Picture Rows(IReadOnlyList<(string Label, Tensor Images)> rows, int scale, int padding, string? caption = null)
    {
        if (rows.Count == 0) throw new ArgumentException("give at least one row", nameof(rows));
        var tiles = rows.Select(r => Tiles(r.Images, columns: (int)Math.Max(1, r.Images.shape[0]), scale, padding)).ToList();
        try
        {
            var typeface = Fonts.Caption;
            if (typeface is null && rows.Any(r => r.Label.Length > 0)) Fonts.WarnMissing();
            using var font = typeface is null ? null : new SKFont(typeface, size: Math.Max(11f, 6f * scale));
            float labelWidth = font is null ? 0 : rows.Max(r => font.MeasureText(r.Label));
            int left = labelWidth > 0 ? (int)Math.Ceiling(labelWidth) + 3 * padding + 4 : 0;
            int width = left + tiles.Max(t => t.Width), height = tiles.Sum(t => t.Height - padding) + padding;

            using var bitmap = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
            using (var canvas = new SKCanvas(bitmap))
            using (var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true })
            {
                canvas.Clear(SKColors.White);
                int top = 0;
                for (int i = 0; i < rows.Count; i++)
                {
                    using (var tile = SKImage.FromBitmap(tiles[i])) canvas.DrawImage(tile, left, top, new SKSamplingOptions(SKFilterMode.Nearest));
                    if (font is not null)
                    {
                        // Baseline so that the text's middle sits at the row's middle.
                        float baseline = top + tiles[i].Height / 2f - (font.Metrics.Ascent + font.Metrics.Descent) / 2f;
                        canvas.DrawText(rows[i].Label, 2 * padding, baseline, SKTextAlign.Left, font, ink);
                    }
                    top += tiles[i].Height - padding;   // rows share the padding between them
                }
            }
            return new Picture(Encode(bitmap), caption ?? string.Join(" / ", rows.Select(r => r.Label)));
        }
        finally
        {
            foreach (var t in tiles) t.Dispose();
        }
    }

    /// <summary>The images tiled into a grey bitmap with white padding around and between them.</summary>
    static SKBitmap Tiles(Tensor images, int columns, int scale, int padding)
    {
        if (columns < 1 || scale < 1 || padding < 0) throw new ArgumentOutOfRangeException(nameof(columns), "columns and scale must be at least 1, padding at least 0");
        var (count, height, width) = Dimensions(images);
        using var scope = NewDisposeScope();
        var pixels = images.detach().reshape(count, height * width).clamp(0, 1).mul(255).round().to(ScalarType.Byte).cpu();
        var values = pixels.data<byte>().ToArray();
        int rows = (int)((count + columns - 1) / columns);
        int cellW = width * scale + padding, cellH = height * scale + padding;
        var bitmap = new SKBitmap(Math.Min(columns, (int)Math.Max(count, 1)) * cellW + padding, Math.Max(rows, 1) * cellH + padding, SKColorType.Gray8, SKAlphaType.Opaque);
        var target = bitmap.GetPixelSpan();
        target.Fill(255);
        int stride = bitmap.RowBytes;
        for (int n = 0; n < count; n++)
        {
            int left = padding + n % columns * cellW, top = padding + n / columns * cellH;
            for (int y = 0; y < height * scale; y++)
                for (int x = 0; x < width * scale; x++)
                    target[(top + y) * stride + left + x] = values[n * height * width + y / scale * width + x / scale];
        }
        return bitmap;
    }

    static byte[] Encode(SKBitmap bitmap)
    {
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    static (long Count, int Height, int Width) Dimensions(Tensor images) => images.shape switch
    {
        [var n, 1, var h, var w] => (n, (int)h, (int)w),
        [var n, var h, var w] => (n, (int)h, (int)w),
        [var n, var d] when (int)Math.Sqrt(d) is var side && side * side == d => (n, side, side),
        var shape => throw new ArgumentException($"images must be [N, 1, H, W], [N, H, W] or [N, side*side]; got [{string.Join(", ", shape)}].", nameof(images)),
    };
}
