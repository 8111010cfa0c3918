using static TorchSharp.torch;

namespace AeCourse.Losses;

/// <summary>
/// KL(q ‖ p) between a VAE's diagonal Gaussian posterior q(z | x) = N(mu, exp(logVar)) and the prior p(z) = N(0, I),
/// in closed form: ½ Σ_d (mu_d² + σ_d² − 1 − log σ_d²), in nats.
/// </summary>
public static class GaussianKl
{
    /// <summary>KL of each latent dimension of each example: [B, latentDim], nats.</summary>
    public static Tensor PerDimension(Tensor mu, Tensor logVar) => (mu.pow(2) + logVar.exp() - 1 - logVar) * 0.5;

    /// <summary>KL summed over dimensions, averaged over the batch: nats per image.</summary>
    public static Tensor PerImage(Tensor mu, Tensor logVar) => PerDimension(mu, logVar).sum(1).mean();
}
