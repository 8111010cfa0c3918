using static TorchSharp.torch.nn;

namespace AeCourse.Models;

/// <summary>A convolutional VAE for 28×28 images: the <see cref="ConvAutoencoder"/>'s pyramid with Gaussian heads.</summary>
public sealed class ConvVae : GaussianVae
{
    /// <param name="latentDim">Size of the code.</param>
    /// <param name="channels">Feature maps after the first convolution; twice as many after the second.</param>
    public ConvVae(int latentDim = 20, int channels = 32)
        : base(nameof(ConvVae),
               Sequential(
                   Conv2d(1, channels, 4, stride: 2, padding: 1), ReLU(),                  // [B, c, 14, 14]
                   Conv2d(channels, 2 * channels, 4, stride: 2, padding: 1), ReLU(),       // [B, 2c, 7, 7]
                   Flatten()),                                                             // [B, 2c·49]
               2 * channels * 49, latentDim,
               Sequential(
                   Linear(latentDim, 2 * channels * 49), ReLU(), Unflatten(1, [2 * channels, 7, 7]),
                   ConvTranspose2d(2 * channels, channels, 4, stride: 2, padding: 1), ReLU(),   // [B, c, 14, 14]
                   ConvTranspose2d(channels, 1, 4, stride: 2, padding: 1)))                // [B, 1, 28, 28] logits
    {
    }
}
