using SkiaSharp;
using static TorchSharp.torch;

namespace AeCourse.Visualization;

/// <summary>Tiles grey images (0 = black, 1 = white, as in the datasets) into one picture on a white ground.</summary>
public static class ImageGrid
{
    /// <summary>Encodes images as a PNG grid.</summary>
    /// <param name="images">[N, 1, H, W], [N, H, W], or [N, 784] (taken as 28×28), values in [0, 1] (clamped).</param>
    /// <param name="columns">Images per row.</param>
    /// <param name="scale">Screen pixels per image pixel (nearest neighbour).</param>
    /// <param name="padding">Gap between images, in screen pixels.</param>
    public static byte[] ToPng(Tensor images, int columns = 10, int scale = 2, int padding = 2)
    {
        if (columns < 1 || scale < 1 || padding < 0) throw new ArgumentOutOfRangeException(nameof(columns), "columns and scale must be at least 1, padding at least 0");
        var (count, height, width) = Dimensions(images);
        using var pixels = images.detach().reshape(count, height * width).clamp(0, 1).mul(255).round().to(ScalarType.Byte).cpu();
        var values = pixels.data<byte>().ToArray();
        int rows = (int)((count + columns - 1) / columns);
        int cellW = width * scale + padding, cellH = height * scale + padding;
        using var bitmap = new SKBitmap(Math.Min(columns, (int)Math.Max(count, 1)) * cellW + padding, Math.Max(rows, 1) * cellH + padding, SKColorType.Gray8, SKAlphaType.Opaque);
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
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>The grid as a <see cref="Picture"/>: shown as an image when it is a notebook cell's result.</summary>
    public static Picture Show(Tensor images, int columns = 10, int scale = 2, int padding = 2, string caption = "") =>
        new(ToPng(images, columns, scale, padding), caption);

    /// <summary>Writes the grid to a PNG file (atomically).</summary>
    public static void Save(Tensor images, string path, int columns = 10, int scale = 2, int padding = 2) =>
        IO.AtomicFile.WriteAllBytes(path, ToPng(images, columns, scale, padding));

    static (long Count, int Height, int Width) Dimensions(Tensor images) => images.shape switch
    {
        [var n, 1, var h, var w] => (n, (int)h, (int)w),
        [var n, var h, var w] => (n, (int)h, (int)w),
        [var n, var d] when (int)Math.Sqrt(d) is var side && side * side == d => (n, side, side),
        var shape => throw new ArgumentException($"images must be [N, 1, H, W], [N, H, W] or [N, side*side]; got [{string.Join(", ", shape)}].", nameof(images)),
    };
}
