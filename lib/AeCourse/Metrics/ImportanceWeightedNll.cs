using AeCourse.Models;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace AeCourse.Metrics;

/// <summary>
/// The importance-weighted estimate of a VAE's negative log-likelihood (Burda et al., 2016), in nats per image:
/// −log (1/k) Σ_i p(x | z_i) p(z_i) / q(z_i | x), z_i ~ q(z | x). With k = 1 it is the negative ELBO (one sample);
/// it tightens as k grows and is the number to compare VAEs by.
/// </summary>
public static class ImportanceWeightedNll
{
    const double LogTwoPi = 1.8378770664093453;

    /// <summary>Mean over the batch of the k-sample estimate of −log p(x), nats per image.</summary>
    /// <param name="vae">The model (evaluated without gradients).</param>
    /// <param name="x">A batch shaped as the model expects, values in [0, 1].</param>
    /// <param name="k">Importance samples per image.</param>
    /// <param name="generator">Where the samples are drawn from.</param>
    public static double Estimate(GaussianVae vae, Tensor x, int k = 100, Generator? generator = null)
    {
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), k, "take at least one sample");
        double estimate;
        using (var scope = NewDisposeScope())
        using (no_grad())
            estimate = NegativeLogLikelihood(vae, x, k, generator);
        // k·B decodes make blocks of tens of MB (k = 100, B = 100: 31 MB each) that glibc could not reuse past the
        // small native objects left to the finalizers: the test set's estimate peaked at 3.8 GB, 0.7 GB collected after
        // each batch (docs/benchmarks.md).
        Runtime.NativeHeap.Collect();
        return estimate;
    }

    static double NegativeLogLikelihood(GaussianVae vae, Tensor x, int k, Generator? generator)
    {
        long batch = x.shape[0];
        var (mu, logVar) = vae.Encode(x);                                              // [B, D]
        var epsilon = randn([k, batch, mu.shape[1]], dtype: mu.dtype, generator: generator).to(mu.device);
        var z = mu + (logVar * 0.5).exp() * epsilon;                                   // [k, B, D]
        var logits = vae.Decode(z.view(k * batch, -1));                                // [k·B, …]
        var target = x.unsqueeze(0).expand([k, .. x.shape]).reshape(logits.shape);
        var logPxGivenZ = -binary_cross_entropy_with_logits(logits, target, reduction: nn.Reduction.None).view(k, batch, -1).sum(2);
        var logPz = (z.pow(2) + LogTwoPi).sum(2) * -0.5;
        var logQz = ((z - mu).pow(2) / logVar.exp() + logVar + LogTwoPi).sum(2) * -0.5;
        var logWeights = (logPxGivenZ + logPz - logQz).to(ScalarType.Float64);         // [k, B]; float64 for the logsumexp
        var logPx = logWeights.logsumexp(0) - Math.Log(k);                             // [B]
        return -logPx.mean().item<double>();
    }
}
