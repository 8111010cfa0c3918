using AeCourse.Losses;
using AeCourse.Models;
using static TorchSharp.torch;

namespace AeCourse.Metrics;

/// <summary>
/// A VAE's negative ELBO split in two (Alemi et al., 2018), each in nats per image: the <paramref name="Rate"/>,
/// KL(q(z | x) ‖ p(z)), what the code costs; and the <paramref name="Distortion"/>, −E_q[log p(x | z)], how badly
/// the decoder rebuilds x from it. A β-VAE minimises Distortion + β · Rate.
/// </summary>
/// <param name="Rate">Mean KL per image, closed form, nats.</param>
/// <param name="Distortion">Mean binary cross-entropy per image (summed over pixels), one z sample per image, nats.</param>
public sealed record RateDistortion(double Rate, double Distortion)
{
    /// <summary>Distortion + Rate: the negative ELBO (the β = 1 loss), nats per image.</summary>
    public double NegativeElbo => Distortion + Rate;

    /// <summary>Distortion + β · Rate: the loss a β-VAE minimises, nats per image.</summary>
    public double Loss(double beta) => Distortion + beta * Rate;

    /// <summary>
    /// Rate and distortion of <paramref name="vae"/> on images <paramref name="x"/>, in eval mode and without
    /// gradients: batches of <paramref name="batchSize"/> in order, one z = mu + σ·ε per image drawn from
    /// <paramref name="generator"/> (as <c>aecourse reproduce beta-vae</c> measures them, with a Generator(1)).
    /// </summary>
    /// <param name="vae">A trained VAE; it is left in eval mode.</param>
    /// <param name="x">Images, [N, 1, 28, 28] or [N, 784], on the model's device.</param>
    /// <param name="generator">Source of ε; null uses the global generator.</param>
    /// <param name="batchSize">Images per forward pass.</param>
    public static RateDistortion Measure(GaussianVae vae, Tensor x, Generator? generator = null, int batchSize = 500)
    {
        if (x.shape[0] == 0) throw new ArgumentException("x holds no images", nameof(x));
        vae.eval();
        using var noGrad = no_grad();
        double rate = 0, distortion = 0;
        for (long start = 0; start < x.shape[0]; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var batch = x.narrow(0, start, Math.Min(batchSize, x.shape[0] - start)).flatten(1);
            var (mu, logVar) = vae.Encode(batch);
            var terms = Elbo.Negative(vae.Decode(Reparameterization.Sample(mu, logVar, generator)), batch, mu, logVar);
            rate += terms.Kl.item<float>() * batch.shape[0];
            distortion += terms.Reconstruction.item<float>() * batch.shape[0];
        }
        return new RateDistortion(rate / x.shape[0], distortion / x.shape[0]);
    }
}
