using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace AeCourse.Models;

/// <summary>
/// A DCGAN-style discriminator for 28×28 images: strided convolutions instead of pooling, LeakyReLU(0.2), batch
/// normalisation after the first layer, and one logit per image (real vs generated).
/// </summary>
public sealed class DcganDiscriminator : Module<Tensor, Tensor>
{
    readonly Sequential layers;

    /// <param name="channels">Feature maps at 14×14; twice as many at 7×7.</param>
    public DcganDiscriminator(int channels = 64) : base(nameof(DcganDiscriminator))
    {
        int wide = 2 * channels;
        layers = Sequential(
            Conv2d(1, channels, 4, stride: 2, padding: 1), LeakyReLU(0.2),                       // [B, c, 14, 14]
            Conv2d(channels, wide, 4, stride: 2, padding: 1), BatchNorm2d(wide), LeakyReLU(0.2), // [B, 2c, 7, 7]
            Flatten(),
            Linear(wide * 49, 1));                                                              // [B, 1]
        RegisterComponents();
    }

    /// <summary>One logit per image [B, 1, 28, 28] → [B]: positive means "real".</summary>
    public override Tensor forward(Tensor x) => layers.forward(x).squeeze(1);
}
