using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace AeCourse.Losses;

/// <summary>
/// Reconstruction losses. <b>Per pixel</b>: the mean over pixels and batch (comparable across image sizes).
/// <b>Per image</b>: the sum over an image's pixels, averaged over the batch — the unit of a likelihood, in nats for BCE.
/// Inputs may have any shape with the batch first; x is in [0, 1].
/// </summary>
public static class Reconstruction
{
    /// <summary>Mean squared error per pixel between xHat and x.</summary>
    public static Tensor MsePerPixel(Tensor xHat, Tensor x) => mse_loss(xHat, x);

    /// <summary>Squared error summed over each image, averaged over the batch.</summary>
    public static Tensor MsePerImage(Tensor xHat, Tensor x) => (xHat - x).pow(2).flatten(1).sum(1).mean();

    /// <summary>Binary cross-entropy per pixel (nats) between sigmoid(logits) and x, computed stably from logits.</summary>
    public static Tensor BcePerPixel(Tensor logits, Tensor x) => binary_cross_entropy_with_logits(logits, x);

    /// <summary>Binary cross-entropy summed over each image (nats per image), averaged over the batch: −log p(x | z) of a Bernoulli decoder.</summary>
    public static Tensor BcePerImage(Tensor logits, Tensor x) =>
        binary_cross_entropy_with_logits(logits, x, reduction: nn.Reduction.None).flatten(1).sum(1).mean();
}
