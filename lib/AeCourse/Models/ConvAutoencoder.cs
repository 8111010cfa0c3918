using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace AeCourse.Models;

/// <summary>
/// A convolutional autoencoder for 28×28 images: stride-2 convolutions halve the resolution twice (the pyramid), a
/// linear layer makes the code; stride-2 transposed convolutions double it back. The default kernel 4 is divisible by
/// the stride, so every output pixel gets the same number of kernel taps; an odd kernel (3, 5) overlaps unevenly and
/// leaves checkerboard artefacts (Odena et al., 2016), which lecture 02 shows. The decoder returns logits.
/// </summary>
public sealed class ConvAutoencoder : Module<Tensor, Tensor>
{
    readonly Sequential encoder;
    readonly Sequential decoder;

    /// <summary>Kernel size of the convolutions.</summary>
    public int Kernel { get; }

    /// <param name="latentDim">Size of the code.</param>
    /// <param name="channels">Feature maps after the first and second convolution.</param>
    /// <param name="kernel">Kernel size of every convolution, 2 to 7; padding keeps each stride exactly halving or doubling.</param>
    public ConvAutoencoder(int latentDim = 32, int channels = 32, int kernel = 4) : base(nameof(ConvAutoencoder))
    {
        if (kernel is < 2 or > 7) throw new ArgumentOutOfRangeException(nameof(kernel), kernel, "kernel sizes 2 to 7 fit the 28 → 14 → 7 pyramid");
        Kernel = kernel;
        int wide = 2 * channels;
        int padding = (kernel - 1) / 2;
        int outputPadding = 2 + 2 * padding - kernel;   // (H − 1)·2 − 2·padding + kernel + outputPadding = 2H
        encoder = Sequential(
            Conv2d(1, channels, kernel, stride: 2, padding: padding), ReLU(),        // [B, 1, 28, 28] → [B, c, 14, 14]
            Conv2d(channels, wide, kernel, stride: 2, padding: padding), ReLU(),     // → [B, 2c, 7, 7]
            Flatten(),                                                    // → [B, 2c·49]
            Linear(wide * 49, latentDim));                                // → [B, latentDim]
        decoder = Sequential(
            Linear(latentDim, wide * 49), ReLU(),
            Unflatten(1, [wide, 7, 7]),                                   // → [B, 2c, 7, 7]
            ConvTranspose2d(wide, channels, kernel, stride: 2, padding: padding, output_padding: outputPadding), ReLU(),   // → [B, c, 14, 14]
            ConvTranspose2d(channels, 1, kernel, stride: 2, padding: padding, output_padding: outputPadding));      // → [B, 1, 28, 28] logits
        RegisterComponents();
    }

    /// <summary>z of images [B, 1, 28, 28].</summary>
    public Tensor Encode(Tensor x) => encoder.forward(x);

    /// <summary>Logits [B, 1, 28, 28] of a code.</summary>
    public Tensor Decode(Tensor z) => decoder.forward(z);

    /// <summary>Reconstruction logits.</summary>
    public override Tensor forward(Tensor x) => Decode(Encode(x));
}
