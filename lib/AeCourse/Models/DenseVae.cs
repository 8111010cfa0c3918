using static TorchSharp.torch.nn;

namespace AeCourse.Models;

/// <summary>A dense VAE: body 784 → hidden (ReLU), heads hidden → latentDim, decoder latentDim → hidden → 784 logits.</summary>
public sealed class DenseVae : GaussianVae
{
    /// <param name="inputDim">Pixels per image.</param>
    /// <param name="hiddenDim">Width of the hidden layer of encoder and decoder.</param>
    /// <param name="latentDim">Size of the code.</param>
    public DenseVae(int inputDim = 784, int hiddenDim = 400, int latentDim = 20)
        : base(nameof(DenseVae),
               Sequential(Linear(inputDim, hiddenDim), ReLU()),                                     // [B, 784] → [B, hidden]
               hiddenDim, latentDim,
               Sequential(Linear(latentDim, hiddenDim), ReLU(), Linear(hiddenDim, inputDim)))     // → [B, 784] logits
    {
    }
}
