using AeCourse.Losses;
using AeCourse.Models;
using AeCourse.Runtime;
using static TorchSharp.torch;

namespace AeCourse.Tests;

/// <summary>Every loss against its closed form or an independent estimate (float64, so round-off is ~1e-15).</summary>
public sealed class LossTests
{
    public LossTests() => Setup.Initialize(seed: 0, device: "cpu", quiet: true);

    static Tensor T(params double[] values) => tensor(values, dtype: ScalarType.Float64);

    [Fact]
    public void Given_a_gaussian_posterior_When_kl_is_computed_in_closed_form_Then_a_monte_carlo_estimate_agrees()
    {
        var mu = T(0.5, -1.0, 0.0).unsqueeze(0);
        var logVar = T(0.0, -0.5, 1.0).unsqueeze(0);
        var closed = GaussianKl.PerDimension(mu, logVar)[0].data<double>().ToArray();

        // KL = E_q[log q(z) − log p(z)]: average it over 400,000 draws z ~ q, per dimension.
        const int n = 400_000;
        var sigma = (logVar * 0.5).exp();
        var z = mu + sigma * randn([n, 3], dtype: ScalarType.Float64, generator: new Generator(7));
        var logQ = -(z - mu).pow(2) / (2 * logVar.exp()) - logVar * 0.5;   // the −½ log 2π of both densities cancels
        var logP = -z.pow(2) * 0.5;
        var d = logQ - logP;
        var estimate = d.mean([0]).data<double>().ToArray();
        var standardError = (d.std([0]) / Math.Sqrt(n)).data<double>().ToArray();

        // Within four standard errors of the Monte Carlo mean: a false alarm about once in 16,000 runs per dimension.
        for (int j = 0; j < 3; j++)
            Assert.True(Math.Abs(estimate[j] - closed[j]) < 4 * standardError[j], $"dim {j}: closed {closed[j]:F5}, Monte Carlo {estimate[j]:F5} ± {standardError[j]:F5}");
        // And the closed form itself at a hand-checked point: mu = 0.5, σ = 1 gives ½ · 0.25 = 0.125 nats.
        Assert.Equal(0.125, closed[0], 12);
    }

    [Fact]
    public void Given_the_reparameterisation_When_backpropagating_Then_gradients_reach_mu_and_logvar_as_the_chain_rule_says()
    {
        var mu = randn([3, 4], dtype: ScalarType.Float64).requires_grad_(true);
        var logVar = randn([3, 4], dtype: ScalarType.Float64).requires_grad_(true);
        var z = Reparameterization.Sample(mu, logVar, new Generator(3));
        z.sum().backward();

        var sigma = (logVar.detach() * 0.5).exp();
        var epsilon = (z.detach() - mu.detach()) / sigma;
        // z = mu + σ ε: ∂z/∂mu = 1 and ∂z/∂logVar = ½ σ ε.
        Assert.True(mu.grad!.allclose(ones_like(mu), rtol: 0, atol: 1e-12));
        Assert.True(logVar.grad!.allclose(sigma * epsilon * 0.5, rtol: 1e-12, atol: 1e-12));
    }

    [Fact]
    public void Given_the_kl_term_When_differentiated_Then_its_gradient_is_the_closed_form()
    {
        var mu = T(0.3, -2.0).unsqueeze(0).requires_grad_(true);
        var logVar = T(-1.0, 0.5).unsqueeze(0).requires_grad_(true);
        GaussianKl.PerImage(mu, logVar).backward();
        // ∂KL/∂mu = mu; ∂KL/∂logVar = ½ (e^logVar − 1).
        Assert.True(mu.grad!.allclose(mu.detach(), atol: 1e-12));
        Assert.True(logVar.grad!.allclose((logVar.detach().exp() - 1) * 0.5, atol: 1e-12));
    }

    [Fact]
    public void Given_one_sigmoid_layer_When_the_contractive_penalty_is_computed_Then_closed_form_and_autograd_agree()
    {
        var generator = new Generator(11);
        var weight = randn([5, 7], dtype: ScalarType.Float64, generator: generator);
        var bias = randn([5], dtype: ScalarType.Float64, generator: generator);
        var x = rand([4, 7], dtype: ScalarType.Float64, generator: generator);
        Tensor Encoder(Tensor input) => (input.matmul(weight.T) + bias).sigmoid();

        var byAutograd = ContractivePenalty.Autograd(Encoder, x).item<double>();
        var analytic = ContractivePenalty.SigmoidLayer(Encoder(x), weight).item<double>();

        Assert.True(byAutograd > 0);
        Assert.Equal(analytic, byAutograd, 1e-12 * analytic);
    }

    [Fact]
    public void Given_known_logits_When_gan_losses_are_computed_Then_they_match_softplus_closed_forms()
    {
        // BCE(logit l, target t) = softplus(l) − t·l, softplus(l) = log(1 + e^l).
        static double Softplus(double l) => Math.Log(1 + Math.Exp(l));
        var real = T(2.0, 2.0);
        var fake = T(-1.0, -1.0);

        Assert.Equal(Softplus(2) - 2 + Softplus(-1), GanLosses.Discriminator(real, fake).item<double>(), 12);
        Assert.Equal(Softplus(-1) - (-1), GanLosses.Generator(fake).item<double>(), 12);   // −log σ(−1) = log(1 + e)
        // One-sided smoothing: the real target becomes 0.9.
        Assert.Equal(Softplus(2) - 0.9 * 2 + Softplus(-1), GanLosses.Discriminator(real, fake, smoothing: 0.1).item<double>(), 12);
        // Label noise with probability 1 flips every label: real → 0, fake → 1.
        Assert.Equal(Softplus(2) + Softplus(-1) + 1, GanLosses.Discriminator(real, fake, labelNoise: 1).item<double>(), 12);
        // Generator loss when D is fooled (large positive logit on fakes) goes to 0: non-saturating.
        Assert.True(GanLosses.Generator(T(20.0)).item<double>() < 1e-8);
    }

    [Fact]
    public void Given_a_vae_output_When_the_negative_elbo_is_taken_Then_it_is_reconstruction_plus_beta_times_kl_per_image()
    {
        // Logits 0 give p = ½ for every pixel: −log p(x|z) = 784 ln 2 per image, whatever x is. mu = 1, σ = 1 gives KL = ½ per dimension.
        var logits = zeros([2, 784], dtype: ScalarType.Float64);
        var x = rand([2, 784], dtype: ScalarType.Float64);
        var mu = ones([2, 8], dtype: ScalarType.Float64);
        var logVar = zeros([2, 8], dtype: ScalarType.Float64);

        var terms = Elbo.Negative(logits, x, mu, logVar, beta: 4);

        Assert.Equal(784 * Math.Log(2), terms.Reconstruction.item<double>(), 9);
        Assert.Equal(4.0, terms.Kl.item<double>(), 12);
        Assert.Equal(784 * Math.Log(2) + 4 * 4.0, terms.Loss.item<double>(), 9);
    }

    [Fact]
    public void Given_mean_activations_When_the_sparsity_kl_is_computed_Then_it_matches_the_bernoulli_kl()
    {
        var atTarget = full([10, 3], 0.05, dtype: ScalarType.Float64);
        Assert.Equal(0, Sparsity.KlToTarget(atTarget, 0.05).item<double>(), 12);
        // One unit with mean 0.5 against ρ = 0.05: 0.05 ln(0.05/0.5) + 0.95 ln(0.95/0.5).
        var half = full([10, 1], 0.5, dtype: ScalarType.Float64);
        Assert.Equal(0.05 * Math.Log(0.1) + 0.95 * Math.Log(1.9), Sparsity.KlToTarget(half, 0.05).item<double>(), 12);
        Assert.Equal(3.0, Sparsity.L1(T(1, -2, 0).unsqueeze(0)).item<double>(), 12);
        Assert.Throws<ArgumentOutOfRangeException>(() => Sparsity.KlToTarget(half, 1.0));
    }

    [Fact]
    public void Given_reconstructions_When_losses_are_taken_per_pixel_and_per_image_Then_the_units_differ_by_the_pixel_count()
    {
        var x = rand([3, 1, 28, 28], dtype: ScalarType.Float64);
        var xHat = rand([3, 1, 28, 28], dtype: ScalarType.Float64);
        Assert.Equal(784 * Reconstruction.MsePerPixel(xHat, x).item<double>(), Reconstruction.MsePerImage(xHat, x).item<double>(), 9);
        var logits = randn([3, 1, 28, 28], dtype: ScalarType.Float64);
        Assert.Equal(784 * Reconstruction.BcePerPixel(logits, x).item<double>(), Reconstruction.BcePerImage(logits, x).item<double>(), 9);
    }
}
