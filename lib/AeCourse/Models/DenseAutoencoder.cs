using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace AeCourse.Models;

/// <summary>
/// A fully connected autoencoder: x [B, 784] → encoder → z [B, latentDim] → decoder → logits [B, 784].
/// The decoder returns logits; <c>sigmoid(logits)</c> is xHat in [0, 1]. Returning logits lets the loss use
/// the numerically stable binary cross-entropy with logits.
/// </summary>
public sealed class DenseAutoencoder : Module<Tensor, Tensor>
{
    readonly Sequential encoder;
    readonly Sequential decoder;

    /// <summary>Size of the code z.</summary>
    public int LatentDim { get; }

    /// <param name="inputDim">Pixels per image (784 for 28×28).</param>
    /// <param name="hiddenDims">Widths of the encoder's hidden layers, outermost first; the decoder mirrors them.</param>
    /// <param name="latentDim">Size of the code.</param>
    public DenseAutoencoder(int inputDim = 784, int[]? hiddenDims = null, int latentDim = 32) : base(nameof(DenseAutoencoder))
    {
        hiddenDims ??= [256];
        LatentDim = latentDim;
        var widths = hiddenDims.Prepend(inputDim).Append(latentDim).ToArray();   // e.g. 784, 256, 32
        encoder = Stack(widths, activateLast: false);
        decoder = Stack(widths.Reverse().ToArray(), activateLast: false);
        RegisterComponents();
    }

    /// <summary>Linear layers between consecutive widths with ReLU between them.</summary>
    static Sequential Stack(int[] widths, bool activateLast)
    {
        var layers = new List<(string, Module<Tensor, Tensor>)>();
        for (int i = 0; i + 1 < widths.Length; i++)
        {
            layers.Add(($"linear{i}", Linear(widths[i], widths[i + 1])));
            if (i + 2 < widths.Length || activateLast) layers.Add(($"relu{i}", ReLU()));
        }
        return Sequential(layers);
    }

    /// <summary>
    /// The encoder as a module of its own, x [B, 784] → z [B, latentDim], sharing this autoencoder's weights (not a
    /// copy): what is left when the decoder is detached, e.g. to put a <see cref="LinearProbe"/> on it.
    /// </summary>
    public Module<Tensor, Tensor> Encoder => encoder;

    /// <summary>The code z of a batch x: [B, 784] → [B, latentDim].</summary>
    public Tensor Encode(Tensor x) => encoder.forward(x);

    /// <summary>Logits of the reconstruction of a code: [B, latentDim] → [B, 784].</summary>
    public Tensor Decode(Tensor z) => decoder.forward(z);

    /// <summary>Reconstruction logits of x.</summary>
    public override Tensor forward(Tensor x) => Decode(Encode(x));
}
