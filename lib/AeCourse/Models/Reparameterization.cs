using static TorchSharp.torch;

namespace AeCourse.Models;

/// <summary>The reparameterisation trick of VAEs.</summary>
public static class Reparameterization
{
    /// <summary>
    /// A sample z = mu + σ · ε with ε ~ N(0, I) and σ = exp(logVar / 2). The randomness sits in ε, so gradients flow
    /// to mu (∂z/∂mu = 1) and to logVar (∂z/∂logVar = σ ε / 2).
    /// </summary>
    public static Tensor Sample(Tensor mu, Tensor logVar, Generator? generator = null)
    {
        var epsilon = randn(mu.shape, dtype: mu.dtype, generator: generator).to(mu.device);
        return mu + (logVar * 0.5).exp() * epsilon;
    }
}
