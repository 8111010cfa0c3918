using SkiaSharp;

namespace AeCourse.Cli.Hosting;

/// <summary>
/// The kernel's logo, drawn rather than stored: an autoencoder's hourglass — a wide input narrowing to a code and widening
/// again — on the kit's blue. Jupyter shows logo-32x32.png and logo-64x64.png beside the kernel's name.
/// </summary>
static class KernelLogo
{
    /// <summary>File name → PNG bytes, for the kernelspec folder.</summary>
    public static IReadOnlyDictionary<string, byte[]> Files() => new Dictionary<string, byte[]>
    {
        ["logo-32x32.png"] = Png(32),
        ["logo-64x64.png"] = Png(64),
    };

    static byte[] Png(int size)
    {
        using var bitmap = new SKBitmap(size, size, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.Transparent);
        float s = size / 64f;
        using var background = new SKPaint { Color = new SKColor(0x1F, 0x4E, 0x79), IsAntialias = true };
        canvas.DrawRoundRect(new SKRect(0, 0, size, size), 12 * s, 12 * s, background);
        using var shape = new SKPaint { Color = SKColors.White, IsAntialias = true };
        using var builder = new SKPathBuilder();
        // Encoder: 784 wide at the top, narrowing to the code in the middle; decoder: the mirror image below.
        builder.MoveTo(12 * s, 10 * s);
        builder.LineTo(52 * s, 10 * s);
        builder.LineTo(36 * s, 29 * s);
        builder.LineTo(36 * s, 35 * s);
        builder.LineTo(52 * s, 54 * s);
        builder.LineTo(12 * s, 54 * s);
        builder.LineTo(28 * s, 35 * s);
        builder.LineTo(28 * s, 29 * s);
        builder.Close();
        using var hourglass = builder.Detach();
        canvas.DrawPath(hourglass, shape);
        using var code = new SKPaint { Color = new SKColor(0xF2, 0xA9, 0x00), IsAntialias = true };
        canvas.DrawRect(new SKRect(26 * s, 29 * s, 38 * s, 35 * s), code);
        using var image = SKImage.FromBitmap(bitmap);
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }
}
