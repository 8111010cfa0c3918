using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using static TorchSharp.torch.nn.functional;

namespace AeCourse.Models;

/// <summary>
/// A context encoder (Pathak et al., 2016) for 28×28 images: the centre of each image is hidden, and the network is
/// trained to draw what was there from the context around it, the loss counted on the hole alone
/// (<see cref="HoleLoss"/>). Its encoder has the shape of <see cref="ConvAutoencoder"/>'s — two stride-2 convolutions
/// and a linear layer to <c>latentDim</c> — and its decoder mirrors it with transposed convolutions; after training,
/// <see cref="Encode"/> gives features of any image, as a pretrained encoder for a probe.
/// </summary>
public sealed class ContextEncoder : Module<Tensor, Tensor>
{
    readonly Sequential encoder;
    readonly Sequential decoder;

    /// <param name="latentDim">Size of the code.</param>
    /// <param name="channels">Feature maps after the first and second convolution.</param>
    public ContextEncoder(int latentDim = 32, int channels = 32) : base(nameof(ContextEncoder))
    {
        int wide = 2 * channels;
        encoder = Sequential(
            Conv2d(1, channels, 4, stride: 2, padding: 1), ReLU(),       // [B, 1, 28, 28] → [B, c, 14, 14]
            Conv2d(channels, wide, 4, stride: 2, padding: 1), ReLU(),    // → [B, 2c, 7, 7]
            Flatten(),                                                   // → [B, 2c·49]
            Linear(wide * 49, latentDim));                               // → [B, latentDim]
        decoder = Sequential(
            Linear(latentDim, wide * 49), ReLU(),
            Unflatten(1, [wide, 7, 7]),                                                  // → [B, 2c, 7, 7]
            ConvTranspose2d(wide, channels, 4, stride: 2, padding: 1), ReLU(),           // → [B, c, 14, 14]
            ConvTranspose2d(channels, 1, 4, stride: 2, padding: 1));                     // → [B, 1, 28, 28] logits
        RegisterComponents();
    }

    /// <summary>The encoder alone: images [B, 1, 28, 28] → z [B, latentDim].</summary>
    public Module<Tensor, Tensor> Encoder => encoder;

    /// <summary>z [B, latentDim] of images [B, 1, 28, 28].</summary>
    public Tensor Encode(Tensor x) => encoder.forward(x);

    /// <summary>Logits [B, 1, 28, 28] of a whole image drawn from z; only the hole's pixels are trained.</summary>
    public Tensor Decode(Tensor z) => decoder.forward(z);

    /// <summary>Logits [B, 1, 28, 28] of the image whose context <paramref name="x"/> shows.</summary>
    public override Tensor forward(Tensor x) => Decode(Encode(x));

    /// <summary>
    /// A mask [1, 1, H, W] (float32) that is 1 in the centred <paramref name="hole"/>×<paramref name="hole"/> square and 0
    /// elsewhere; where the centre falls between pixels the square starts at row (H − hole) / 2 and column
    /// (W − hole) / 2, rounded down.
    /// </summary>
    public static Tensor CentreMask(int height, int width, int hole, Device? device = null)
    {
        if (hole < 1 || hole > Math.Min(height, width)) throw new ArgumentOutOfRangeException(nameof(hole), hole, $"a hole of 1 to {Math.Min(height, width)} pixels fits {height}×{width}");
        using var scope = NewDisposeScope();   // the indexing's temporaries go with it
        var mask = zeros(1, 1, height, width, device: device);
        int top = (height - hole) / 2, left = (width - hole) / 2;
        using (no_grad()) mask[.., .., top..(top + hole), left..(left + hole)] = 1;
        return mask.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Binary cross-entropy per pixel between <paramref name="logits"/> and the images <paramref name="x"/>, averaged over
    /// the pixels where <paramref name="mask"/> is 1 only: the context is given, so only the hole is asked for.
    /// </summary>
    /// <param name="logits">[B, 1, H, W].</param>
    /// <param name="x">Targets in [0, 1], [B, 1, H, W].</param>
    /// <param name="mask">1 in the hole, 0 elsewhere; broadcast against x (e.g. [1, 1, H, W]).</param>
    public static Tensor HoleLoss(Tensor logits, Tensor x, Tensor mask)
    {
        using var scope = NewDisposeScope();
        var perPixel = binary_cross_entropy_with_logits(logits, x, reduction: Reduction.None);   // [B, 1, H, W]
        var weight = mask.expand_as(perPixel);
        return ((perPixel * weight).sum() / weight.sum()).MoveToOuterDisposeScope();
    }
}
