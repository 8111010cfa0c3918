using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace AeCourse.Models;

/// <summary>
/// A convolutional autoencoder for 28×28 images: stride-2 convolutions halve the resolution twice (the pyramid), a
/// linear layer makes the code; transposed convolutions with kernel 4 and stride 2 — kernel divisible by stride, so
/// no checkerboard artefacts — double it back. The decoder returns logits.
/// </summary>
public sealed class ConvAutoencoder : Module<Tensor, Tensor>
{
    readonly Sequential encoder;
    readonly Sequential decoder;

    /// <param name="latentDim">Size of the code.</param>
    /// <param name="channels">Feature maps after the first and second convolution.</param>
    public ConvAutoencoder(int latentDim = 32, int channels = 32) : base(nameof(ConvAutoencoder))
    {
        int wide = 2 * channels;
        encoder = Sequential(
            Conv2d(1, channels, 4, stride: 2, padding: 1), ReLU(),        // [B, 1, 28, 28] → [B, c, 14, 14]
            Conv2d(channels, wide, 4, stride: 2, padding: 1), ReLU(),     // → [B, 2c, 7, 7]
            Flatten(),                                                    // → [B, 2c·49]
            Linear(wide * 49, latentDim));                                // → [B, latentDim]
        decoder = Sequential(
            Linear(latentDim, wide * 49), ReLU(),
            Unflatten(1, [wide, 7, 7]),                                   // → [B, 2c, 7, 7]
            ConvTranspose2d(wide, channels, 4, stride: 2, padding: 1), ReLU(),   // → [B, c, 14, 14]
            ConvTranspose2d(channels, 1, 4, stride: 2, padding: 1));      // → [B, 1, 28, 28] logits
        RegisterComponents();
    }

    /// <summary>z of images [B, 1, 28, 28].</summary>
    public Tensor Encode(Tensor x) => encoder.forward(x);

    /// <summary>Logits [B, 1, 28, 28] of a code.</summary>
    public Tensor Decode(Tensor z) => decoder.forward(z);

    /// <summary>Reconstruction logits.</summary>
    public override Tensor forward(Tensor x) => Decode(Encode(x));
}
