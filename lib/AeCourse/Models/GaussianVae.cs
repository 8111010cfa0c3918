using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace AeCourse.Models;

/// <summary>
/// What every VAE of the kit shares: a body that maps x to features, two linear heads for the mean and log-variance
/// of q(z | x) = N(mu, exp(logVar)), a reparameterised sample, and a decoder returning Bernoulli logits.
/// forward returns (logits, mu, logVar); in eval mode z = mu.
/// </summary>
public abstract class GaussianVae : Module<Tensor, (Tensor Logits, Tensor Mu, Tensor LogVar)>
{
    // Protected, not private: TorchSharp registers the submodules it finds in the fields of the concrete class.
    /// <summary>x → features.</summary>
    protected readonly Module<Tensor, Tensor> body;
    /// <summary>features → mu.</summary>
    protected readonly Module<Tensor, Tensor> muHead;
    /// <summary>features → logVar.</summary>
    protected readonly Module<Tensor, Tensor> logVarHead;
    /// <summary>z → logits.</summary>
    protected readonly Module<Tensor, Tensor> decoder;

    /// <summary>Size of the code.</summary>
    public int LatentDim { get; }

    /// <param name="name">Module name.</param>
    /// <param name="body">x → features [B, features].</param>
    /// <param name="features">Width of the body's output.</param>
    /// <param name="latentDim">Size of the code.</param>
    /// <param name="decoder">z → logits shaped like x.</param>
    protected GaussianVae(string name, Module<Tensor, Tensor> body, int features, int latentDim, Module<Tensor, Tensor> decoder) : base(name)
    {
        LatentDim = latentDim;
        this.body = body;
        muHead = Linear(features, latentDim);
        logVarHead = Linear(features, latentDim);
        this.decoder = decoder;
        RegisterComponents();
    }

    /// <summary>mu and logVar of q(z | x), each [B, latentDim].</summary>
    public (Tensor Mu, Tensor LogVar) Encode(Tensor x)
    {
        var h = body.forward(x);
        return (muHead.forward(h), logVarHead.forward(h));
    }

    /// <summary>Logits of p(x | z), shaped like x.</summary>
    public Tensor Decode(Tensor z) => decoder.forward(z);

    /// <summary>(logits, mu, logVar) of a batch x; z is sampled while training and is mu in eval mode.</summary>
    public override (Tensor Logits, Tensor Mu, Tensor LogVar) forward(Tensor x)
    {
        var (mu, logVar) = Encode(x);
        var z = training ? Reparameterization.Sample(mu, logVar) : mu;
        return (Decode(z), mu, logVar);
    }
}
