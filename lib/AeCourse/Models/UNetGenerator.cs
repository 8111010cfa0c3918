using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace AeCourse.Models;

/// <summary>
/// A small U-Net (Ronneberger et al. 2015) for 28×28 image-to-image translation, the generator of pix2pix (Isola et
/// al. 2017) scaled down: two strided convolutions down (28 → 14 → 7), one convolution at 7×7, two transposed
/// convolutions up (7 → 14 → 28), and at each scale a skip connection that concatenates the encoder's feature map to
/// the decoder's, so the fine layout of the input (where the edges are) reaches the output without passing through
/// the 7×7 bottleneck. Outputs logits of the image (sigmoid gives [0, 1]).
/// </summary>
public sealed class UNetGenerator : Module<Tensor, Tensor>
{
    readonly Sequential down1, down2, middle, up1, up2;
    readonly Conv2d output;

    /// <param name="channels">Feature maps at 14×14; twice as many at 7×7.</param>
    /// <param name="inChannels">Channels of the input image.</param>
    public UNetGenerator(int channels = 32, int inChannels = 1) : base(nameof(UNetGenerator))
    {
        int c = channels, wide = 2 * channels;
        down1 = Sequential(Conv2d(inChannels, c, 4, stride: 2, padding: 1), LeakyReLU(0.2));                        // [B, c, 14, 14]
        down2 = Sequential(Conv2d(c, wide, 4, stride: 2, padding: 1), BatchNorm2d(wide), LeakyReLU(0.2));           // [B, 2c, 7, 7]
        middle = Sequential(Conv2d(wide, wide, 3, padding: 1), BatchNorm2d(wide), ReLU());                           // [B, 2c, 7, 7]
        up1 = Sequential(ConvTranspose2d(2 * wide, c, 4, stride: 2, padding: 1), BatchNorm2d(c), ReLU());           // [B, c, 14, 14]
        up2 = Sequential(ConvTranspose2d(2 * c, c, 4, stride: 2, padding: 1), ReLU());                               // [B, c, 28, 28]
        output = Conv2d(c + inChannels, 1, 3, padding: 1);                                                           // [B, 1, 28, 28]
        RegisterComponents();
    }

    /// <summary>Image logits [B, 1, 28, 28] for an input [B, inChannels, 28, 28].</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h1 = down1.forward(x);                              // [B, c, 14, 14]
        var h2 = down2.forward(h1);                             // [B, 2c, 7, 7]
        var m = middle.forward(h2);                             // [B, 2c, 7, 7]
        var u1 = up1.forward(cat([m, h2], 1));                  // skip at 7×7 → [B, c, 14, 14]
        var u2 = up2.forward(cat([u1, h1], 1));                 // skip at 14×14 → [B, c, 28, 28]
        return output.forward(cat([u2, x], 1)).MoveToOuterDisposeScope();   // skip at 28×28: the input itself
    }
}
