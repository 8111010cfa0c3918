using static TorchSharp.torch;

namespace AeCourse.Losses;

/// <summary>The parts of a (β-)VAE's loss, each in nats per image.</summary>
/// <param name="Loss">Reconstruction + beta · KL: what is minimised. With beta = 1 it is the negative ELBO.</param>
/// <param name="Reconstruction">−E_q[log p(x | z)], one-sample estimate: binary cross-entropy summed over pixels.</param>
/// <param name="Kl">KL(q(z | x) ‖ p(z)) in closed form.</param>
public sealed record ElboTerms(Tensor Loss, Tensor Reconstruction, Tensor Kl);

/// <summary>The evidence lower bound of a VAE with a Bernoulli decoder, and its β-weighted form (β-VAE).</summary>
public static class Elbo
{
    /// <summary>Negative (β-)ELBO per image: BCE(logits, x) summed over pixels + beta · KL(mu, logVar); nats.</summary>
    public static ElboTerms Negative(Tensor logits, Tensor x, Tensor mu, Tensor logVar, double beta = 1.0)
    {
        var reconstruction = Losses.Reconstruction.BcePerImage(logits, x);
        var kl = GaussianKl.PerImage(mu, logVar);
        return new ElboTerms(reconstruction + kl * beta, reconstruction, kl);
    }
}
