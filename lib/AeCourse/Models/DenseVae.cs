using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace AeCourse.Models;

/// <summary>
/// A dense variational autoencoder: the encoder gives the mean and log-variance of q(z | x) = N(mu, exp(logVar));
/// a sample z = mu + σ ε goes through the decoder, which returns the logits of a Bernoulli p(x | z).
/// forward returns (logits, mu, logVar); at evaluation (eval mode) z = mu.
/// </summary>
public sealed class DenseVae : Module<Tensor, (Tensor Logits, Tensor Mu, Tensor LogVar)>
{
    readonly Sequential body;
    readonly Module<Tensor, Tensor> muHead;
    readonly Module<Tensor, Tensor> logVarHead;
    readonly Sequential decoder;

    /// <summary>Size of the code.</summary>
    public int LatentDim { get; }

    /// <param name="inputDim">Pixels per image.</param>
    /// <param name="hiddenDim">Width of the hidden layer of encoder and decoder.</param>
    /// <param name="latentDim">Size of the code.</param>
    public DenseVae(int inputDim = 784, int hiddenDim = 400, int latentDim = 20) : base(nameof(DenseVae))
    {
        LatentDim = latentDim;
        body = Sequential(Linear(inputDim, hiddenDim), ReLU());           // [B, 784] → [B, hidden]
        muHead = Linear(hiddenDim, latentDim);
        logVarHead = Linear(hiddenDim, latentDim);
        decoder = Sequential(Linear(latentDim, hiddenDim), ReLU(), Linear(hiddenDim, inputDim));
        RegisterComponents();
    }

    /// <summary>mu and logVar of q(z | x), each [B, latentDim].</summary>
    public (Tensor Mu, Tensor LogVar) Encode(Tensor x)
    {
        var h = body.forward(x);
        return (muHead.forward(h), logVarHead.forward(h));
    }

    /// <summary>Logits of p(x | z), [B, 784].</summary>
    public Tensor Decode(Tensor z) => decoder.forward(z);

    /// <summary>(logits, mu, logVar) of a batch x [B, 784].</summary>
    public override (Tensor Logits, Tensor Mu, Tensor LogVar) forward(Tensor x)
    {
        var (mu, logVar) = Encode(x);
        var z = training ? Reparameterization.Sample(mu, logVar) : mu;
        return (Decode(z), mu, logVar);
    }
}
