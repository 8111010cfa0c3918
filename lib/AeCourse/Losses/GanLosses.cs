using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace AeCourse.Losses;

/// <summary>
/// The non-saturating GAN losses (Goodfellow et al. 2014, as in DCGAN), from the discriminator's logits, in nats.
/// </summary>
public static class GanLosses
{
    /// <summary>
    /// The discriminator's loss: BCE(real, target) + BCE(fake, 0), each averaged over its batch. The real target is
    /// 1 − <paramref name="smoothing"/> (one-sided label smoothing); with <paramref name="labelNoise"/> p, each label
    /// (real and fake) is flipped with probability p, drawn from <paramref name="generator"/>.
    /// </summary>
    public static Tensor Discriminator(Tensor realLogits, Tensor fakeLogits, double smoothing = 0, double labelNoise = 0, Generator? generator = null)
    {
        if (smoothing is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(smoothing), smoothing, "label smoothing must be in [0, 1)");
        if (labelNoise is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(labelNoise), labelNoise, "label noise is a probability in [0, 1]");
        var realTarget = Flip(full_like(realLogits, 1 - smoothing), labelNoise, generator);
        var fakeTarget = Flip(zeros_like(fakeLogits), labelNoise, generator);
        return binary_cross_entropy_with_logits(realLogits, realTarget) + binary_cross_entropy_with_logits(fakeLogits, fakeTarget);
    }

    /// <summary>The generator's non-saturating loss: −log D(G(z)) = BCE(fake, 1), averaged over the batch.</summary>
    public static Tensor Generator(Tensor fakeLogits) => binary_cross_entropy_with_logits(fakeLogits, ones_like(fakeLogits));

    /// <summary>Targets t become 1 − t where a Bernoulli(p) draw says so.</summary>
    static Tensor Flip(Tensor target, double p, Generator? generator)
    {
        if (p == 0) return target;
        var draw = rand(target.shape, generator: generator, dtype: target.dtype).to(target.device);
        return where(draw.lt(p), 1 - target, target);
    }
}
