using System.IO.Compression;
using static TorchSharp.torch;

namespace AeCourse.Metrics;

/// <summary>A general-purpose lossless coder from System.IO.Compression.</summary>
public enum LosslessCoder
{
    /// <summary>Deflate (LZ77 and Huffman codes), the coder inside PNG and zip, at its smallest setting.</summary>
    Deflate,
    /// <summary>Brotli (LZ77, context modelling and Huffman codes) at its smallest setting.</summary>
    Brotli,
}

/// <summary>
/// How many bits a lossless coder needs for images stored as 8-bit pixels: the yardstick for an autoencoder's code,
/// which is a lossy coder. A lossless code must give back every byte exactly, so its length is bounded below by the
/// images' entropy; random bytes need at least 8 bits a pixel, and a real coder adds its headers.
/// </summary>
public static class LosslessCodeLength
{
    /// <summary>
    /// Images in [0, 1] as 8-bit pixels, round(255 x), one image after another in row-major order — how Fashion-MNIST
    /// stores them, so for its images the conversion is exact.
    /// </summary>
    /// <param name="images">[N, ...] values in [0, 1].</param>
    public static byte[] ToBytes(Tensor images)
    {
        using var scope = NewDisposeScope();
        return images.detach().cpu().to(ScalarType.Float32).mul(255).round().clamp(0, 255).to(ScalarType.Byte).contiguous().data<byte>().ToArray();
    }

    /// <summary>The coder's output for <paramref name="data"/> (the whole stream, headers included).</summary>
    public static byte[] Compress(ReadOnlySpan<byte> data, LosslessCoder coder)
    {
        using var output = new MemoryStream();
        using (Stream stream = coder switch
        {
            LosslessCoder.Deflate => new DeflateStream(output, CompressionLevel.SmallestSize, leaveOpen: true),
            LosslessCoder.Brotli => new BrotliStream(output, CompressionLevel.SmallestSize, leaveOpen: true),
            _ => throw new ArgumentOutOfRangeException(nameof(coder), coder, null),
        })
            stream.Write(data);
        return output.ToArray();
    }

    /// <summary>The bytes <see cref="Compress"/> was given, back exactly.</summary>
    public static byte[] Decompress(byte[] compressed, LosslessCoder coder)
    {
        using var input = new MemoryStream(compressed);
        using Stream stream = coder switch
        {
            LosslessCoder.Deflate => new DeflateStream(input, CompressionMode.Decompress),
            LosslessCoder.Brotli => new BrotliStream(input, CompressionMode.Decompress),
            _ => throw new ArgumentOutOfRangeException(nameof(coder), coder, null),
        };
        using var output = new MemoryStream();
        stream.CopyTo(output);
        return output.ToArray();
    }

    /// <summary>
    /// Bits per image of <paramref name="images"/> (values in [0, 1], stored as 8-bit pixels) under <paramref name="coder"/>.
    /// <paramref name="jointly"/> = false codes each image alone, as a file of its own (each pays the coder's headers and
    /// starts without statistics); true codes the whole set as one stream and divides by N, so the coder can reuse
    /// what the images share — as an autoencoder's decoder, trained once, serves every image.
    /// </summary>
    /// <param name="images">[N, ...] values in [0, 1].</param>
    /// <param name="coder">Which lossless coder.</param>
    /// <param name="jointly">One stream for the whole set (true) or one per image (false).</param>
    public static double BitsPerImage(Tensor images, LosslessCoder coder, bool jointly = false)
    {
        var bytes = ToBytes(images);
        int n = (int)images.shape[0], size = bytes.Length / n;
        if (jointly) return 8.0 * Compress(bytes, coder).Length / n;
        long total = 0;
        for (int i = 0; i < n; i++) total += Compress(bytes.AsSpan(i * size, size), coder).Length;
        return 8.0 * total / n;
    }
}
