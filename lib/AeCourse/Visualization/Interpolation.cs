using static TorchSharp.torch;

namespace AeCourse.Visualization;

/// <summary>Walking from one image to another: in the code (decoding each step) or in pixels (cross-fading).</summary>
public static class Interpolation
{
    /// <summary>(1 − t)·a + t·b for t = 0, 1/(steps − 1), …, 1: [steps, …shape of a].</summary>
    public static Tensor Linear(Tensor a, Tensor b, int steps = 10)
    {
        if (steps < 2) throw new ArgumentOutOfRangeException(nameof(steps), steps, "take at least the two ends");
        if (!a.shape.SequenceEqual(b.shape))
            throw new ArgumentException($"the ends must have one shape; got [{string.Join(", ", a.shape)}] and [{string.Join(", ", b.shape)}].", nameof(b));
        using var scope = NewDisposeScope();
        var t = linspace(0, 1, steps, dtype: a.dtype, device: a.device).view([steps, .. Enumerable.Repeat(1L, (int)a.dim())]);
        return (a.unsqueeze(0) * (1 - t) + b.unsqueeze(0) * t).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Two strips from <paramref name="xA"/> to <paramref name="xB"/>: decoded from the interpolated codes, and
    /// cross-faded in pixels. The first stays on the data (each step looks like a garment); the second is two images
    /// overlaid.
    /// </summary>
    /// <param name="encode">x [1, …] → z [1, latentDim] (for a VAE, its mu).</param>
    /// <param name="decode">z [N, latentDim] → images in [0, 1].</param>
    /// <param name="xA">First image, [1, 1, 28, 28] or [1, 784] as the encoder takes it.</param>
    /// <param name="xB">Last image, same shape.</param>
    /// <param name="steps">Images per strip, the ends included.</param>
    public static Picture Compare(Func<Tensor, Tensor> encode, Func<Tensor, Tensor> decode, Tensor xA, Tensor xB, int steps = 10)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var inCode = decode(Linear(encode(xA)[0], encode(xB)[0], steps));
        var inPixels = Linear(xA[0], xB[0], steps);
        return ImageGrid.Rows(("in the code", inCode), ("in pixels", inPixels));
    }
}
