using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace AeCourse.Models;

/// <summary>
/// A patch discriminator (PatchGAN, Isola et al. 2017) for 28×28 paired translation: it sees the input and an image
/// (real target or generated) concatenated as channels and answers with a grid of logits, one per overlapping patch
/// rather than one per image. Two strided convolutions (28 → 14 → 7) and a 3×3 convolution give a 7×7 grid; each
/// logit sees an 18×18 patch (receptive field 4, then 4 + 3·2 = 10, then 10 + 2·4 = 18). Judging patches pushes the
/// generator towards locally sharp, realistic texture, which a pixel loss such as L1 does not reward.
/// </summary>
public sealed class PatchDiscriminator : Module<Tensor, Tensor, Tensor>
{
    readonly Sequential layers;

    /// <param name="channels">Feature maps at 14×14; twice as many at 7×7.</param>
    /// <param name="inChannels">Channels of the condition plus channels of the image (1 + 1 for grey pairs).</param>
    public PatchDiscriminator(int channels = 32, int inChannels = 2) : base(nameof(PatchDiscriminator))
    {
        int wide = 2 * channels;
        layers = Sequential(
            Conv2d(inChannels, channels, 4, stride: 2, padding: 1), LeakyReLU(0.2),              // [B, c, 14, 14]
            Conv2d(channels, wide, 4, stride: 2, padding: 1), BatchNorm2d(wide), LeakyReLU(0.2), // [B, 2c, 7, 7]
            Conv2d(wide, 1, 3, padding: 1));                                                     // [B, 1, 7, 7]
        RegisterComponents();
    }

    /// <summary>Logits [B, 7, 7] (for 28×28 inputs) for the condition [B, 1, H, W] and the image [B, 1, H, W]: positive means "real patch".</summary>
    public override Tensor forward(Tensor condition, Tensor image)
    {
        using var scope = NewDisposeScope();
        return layers.forward(cat([condition, image], 1)).squeeze(1).MoveToOuterDisposeScope();
    }
}
