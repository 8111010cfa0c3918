using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace AeCourse.Models;

/// <summary>
/// A DCGAN-style generator for 28×28 images (Radford et al. 2016): a linear layer to [128, 7, 7], then transposed
/// convolutions with stride 2 (kernel 4, divisible by the stride) and batch normalisation, up to logits of the image.
/// </summary>
public sealed class DcganGenerator : Module<Tensor, Tensor>
{
    readonly Sequential layers;

    /// <summary>Size of the noise vector z.</summary>
    public int LatentDim { get; }

    /// <param name="latentDim">Size of z.</param>
    /// <param name="channels">Feature maps at 14×14; twice as many at 7×7.</param>
    public DcganGenerator(int latentDim = 64, int channels = 64) : base(nameof(DcganGenerator))
    {
        LatentDim = latentDim;
        int wide = 2 * channels;
        layers = Sequential(
            Linear(latentDim, wide * 49), BatchNorm1d(wide * 49), ReLU(),
            Unflatten(1, [wide, 7, 7]),                                                   // [B, 2c, 7, 7]
            ConvTranspose2d(wide, channels, 4, stride: 2, padding: 1), BatchNorm2d(channels), ReLU(),   // [B, c, 14, 14]
            ConvTranspose2d(channels, 1, 4, stride: 2, padding: 1));                      // [B, 1, 28, 28] logits
        RegisterComponents();
    }

    /// <summary>Image logits for noise z [B, latentDim]; sigmoid gives the image in [0, 1].</summary>
    public override Tensor forward(Tensor z) => layers.forward(z);
}
