using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace AeCourse.Models;

/// <summary>
/// The linear autoencoder: x [B, 784] → z = W₁x + b₁ [B, latentDim] → xHat = W₂z + b₂ [B, 784], no nonlinearity,
/// trained with MSE. At its optimum it spans the same subspace as PCA with latentDim components (Baldi and Hornik,
/// 1989) — the lecture's bridge between the two.
/// </summary>
public sealed class LinearAutoencoder : Module<Tensor, Tensor>
{
    readonly Linear encoder;
    readonly Linear decoder;

    /// <param name="inputDim">Pixels per image.</param>
    /// <param name="latentDim">Size of the code.</param>
    public LinearAutoencoder(int inputDim = 784, int latentDim = 32) : base(nameof(LinearAutoencoder))
    {
        encoder = Linear(inputDim, latentDim);
        decoder = Linear(latentDim, inputDim);
        RegisterComponents();
    }

    /// <summary>The decoder's weight, [inputDim, latentDim]: its columns span the subspace the model reconstructs in.</summary>
    public Tensor DecoderWeight => decoder.weight!;

    /// <summary>z = W₁x + b₁.</summary>
    public Tensor Encode(Tensor x) => encoder.forward(x);

    /// <summary>xHat = W₂z + b₂ (no sigmoid: the model is linear end to end).</summary>
    public Tensor Decode(Tensor z) => decoder.forward(z);

    /// <summary>xHat of x.</summary>
    public override Tensor forward(Tensor x) => Decode(Encode(x));
}
