using static TorchSharp.torch;

namespace AeCourse.Data;

/// <summary>
/// Corruptions for denoising autoencoders. Each call draws new noise (so every batch is corrupted afresh) from the
/// given generator, and every result is clamped to [0, 1]. Inputs: images in [0, 1], any shape with the batch first.
/// </summary>
public static class Corruptions
{
    /// <summary>Additive Gaussian noise: x + σ · ε, clamped.</summary>
    public static Tensor Gaussian(Tensor x, double sigma, Generator? generator = null) =>
        (x + Noise(x, generator, randn) * sigma).clamp(0, 1);

    /// <summary>Masking noise: each pixel is set to 0 with probability <paramref name="p"/>.</summary>
    public static Tensor Masking(Tensor x, double p, Generator? generator = null) =>
        x * Noise(x, generator, rand).ge(p).to(x.dtype);

    /// <summary>Salt and pepper: each pixel, with probability <paramref name="p"/>, becomes 0 or 1 (equally likely).</summary>
    public static Tensor SaltAndPepper(Tensor x, double p, Generator? generator = null)
    {
        var hit = Noise(x, generator, rand).lt(p);
        var salt = Noise(x, generator, rand).lt(0.5).to(x.dtype);
        return where(hit, salt, x);
    }

    /// <summary>Occlusion (for inpainting): a <paramref name="size"/>×<paramref name="size"/> square at a random place of each image is set to 0.</summary>
    /// <param name="x">Images [B, C, H, W].</param>
    /// <param name="size">Side of the square, in pixels.</param>
    /// <param name="generator">Where the patches' places are drawn from.</param>
    public static Tensor Occlude(Tensor x, int size, Generator? generator = null)
    {
        if (x.dim() != 4) throw new ArgumentException($"Occlude needs images [B, C, H, W]; got [{string.Join(", ", x.shape)}].", nameof(x));
        long height = x.shape[2], width = x.shape[3];
        if (size < 1 || size > height || size > width) throw new ArgumentOutOfRangeException(nameof(size), size, $"the patch must fit in {height}×{width}");
        var tops = randint(0, height - size + 1, [x.shape[0]], generator: generator).data<long>().ToArray();
        var lefts = randint(0, width - size + 1, [x.shape[0]], generator: generator).data<long>().ToArray();
        var mask = ones_like(x);
        for (int b = 0; b < tops.Length; b++)
            mask[b, TensorIndex.Colon, TensorIndex.Slice(tops[b], tops[b] + size), TensorIndex.Slice(lefts[b], lefts[b] + size)] = 0;
        return x * mask;
    }

    /// <summary>Noise of x's shape drawn on the CPU generator, then moved to x's device (same noise on CPU and GPU).</summary>
    static Tensor Noise(Tensor x, Generator? generator, Func<long[], ScalarType?, Device?, bool, Generator?, string[]?, Tensor> draw) =>
        draw(x.shape, x.dtype, null, false, generator, null).to(x.device);
}
