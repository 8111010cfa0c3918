using static TorchSharp.torch;

namespace AeCourse.Metrics;

/// <summary>Image quality measures for reconstructions and denoising.</summary>
public static class ImageQuality
{
    /// <summary>
    /// Peak signal-to-noise ratio in dB for images in [0, 1]: 10 · log10(1 / MSE), with the MSE over each image's
    /// pixels; the mean over images. Higher is better; +6 dB halves the error's amplitude.
    /// </summary>
    public static double Psnr(Tensor xHat, Tensor x)
    {
        using var scope = NewDisposeScope();
        var mse = (xHat - x).to(ScalarType.Float64).pow(2).flatten(1).mean([1]);
        return (mse.log10() * -10).mean().item<double>();
    }
}
