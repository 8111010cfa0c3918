using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace AeCourse.Models;

/// <summary>
/// A convolutional VAE for 28×28 images: the <see cref="ConvAutoencoder"/>'s pyramid, with two heads for mu and
/// logVar. forward returns (logits [B, 1, 28, 28], mu, logVar); in eval mode z = mu.
/// </summary>
public sealed class ConvVae : Module<Tensor, (Tensor Logits, Tensor Mu, Tensor LogVar)>
{
    readonly Sequential body;
    readonly Module<Tensor, Tensor> muHead;
    readonly Module<Tensor, Tensor> logVarHead;
    readonly Sequential decoder;

    /// <param name="latentDim">Size of the code.</param>
    /// <param name="channels">Feature maps after the first convolution; twice as many after the second.</param>
    public ConvVae(int latentDim = 20, int channels = 32) : base(nameof(ConvVae))
    {
        int wide = 2 * channels;
        body = Sequential(
            Conv2d(1, channels, 4, stride: 2, padding: 1), ReLU(),        // [B, c, 14, 14]
            Conv2d(channels, wide, 4, stride: 2, padding: 1), ReLU(),     // [B, 2c, 7, 7]
            Flatten());                                                   // [B, 2c·49]
        muHead = Linear(wide * 49, latentDim);
        logVarHead = Linear(wide * 49, latentDim);
        decoder = Sequential(
            Linear(latentDim, wide * 49), ReLU(), Unflatten(1, [wide, 7, 7]),
            ConvTranspose2d(wide, channels, 4, stride: 2, padding: 1), ReLU(),   // [B, c, 14, 14]
            ConvTranspose2d(channels, 1, 4, stride: 2, padding: 1));      // [B, 1, 28, 28] logits
        RegisterComponents();
    }

    /// <summary>mu and logVar of q(z | x), each [B, latentDim].</summary>
    public (Tensor Mu, Tensor LogVar) Encode(Tensor x)
    {
        var h = body.forward(x);
        return (muHead.forward(h), logVarHead.forward(h));
    }

    /// <summary>Logits of p(x | z), [B, 1, 28, 28].</summary>
    public Tensor Decode(Tensor z) => decoder.forward(z);

    /// <summary>(logits, mu, logVar) of images x [B, 1, 28, 28].</summary>
    public override (Tensor Logits, Tensor Mu, Tensor LogVar) forward(Tensor x)
    {
        var (mu, logVar) = Encode(x);
        var z = training ? Reparameterization.Sample(mu, logVar) : mu;
        return (Decode(z), mu, logVar);
    }
}
