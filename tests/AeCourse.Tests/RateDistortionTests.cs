using AeCourse.Metrics;
using AeCourse.Models;
using AeCourse.Runtime;
using AeCourse.Visualization;
using static TorchSharp.torch;

namespace AeCourse.Tests;

public sealed class RateDistortionTests
{
    public RateDistortionTests() => Setup.Initialize(seed: 0, device: "cpu", quiet: true);

    /// <summary>A DenseVae whose weights are all zero: mu and logVar are the heads' biases for every x, and the logits are 0.</summary>
    static DenseVae Constant(int latentDim, float muBias, float logVarBias)
    {
        var vae = new DenseVae(784, 16, latentDim);
        using var noGrad = no_grad();
        foreach (var (name, p) in vae.named_parameters())
        {
            p.zero_();
            if (name == "muHead.bias") p.fill_(muBias);
            if (name == "logVarHead.bias") p.fill_(logVarBias);
        }
        return vae;
    }

    [Fact]
    public void Given_a_vae_with_a_fixed_posterior_and_flat_logits_When_measured_Then_rate_and_distortion_are_the_closed_forms()
    {
        var x = rand([23, 1, 28, 28], generator: new Generator(3));
        // q(z | x) = N(1, 4) in each of 3 dimensions: KL = ½ (mu² + σ² − 1 − log σ²) = ½ (1 + 4 − 1 − ln 4) per dimension.
        var measured = RateDistortion.Measure(Constant(3, 1, MathF.Log(4)), x, new Generator(1), batchSize: 5);
        Assert.Equal(3 * 0.5 * (4 - Math.Log(4)), measured.Rate, 4);
        // Logits 0 whatever z is: every pixel costs −log σ(0) = ln 2 whatever its value, 784 ln 2 per image.
        Assert.Equal(784 * Math.Log(2), measured.Distortion, 2);
        // The posterior equal to the prior costs nothing.
        Assert.Equal(0, RateDistortion.Measure(Constant(3, 0, 0), x).Rate, 6);
    }

    [Fact]
    public void Given_a_random_vae_When_measured_in_batches_Then_it_matches_a_float64_computation_with_the_same_noise()
    {
        var vae = new DenseVae(784, 32, 4);
        var x = rand([23, 784], generator: new Generator(4));
        var measured = RateDistortion.Measure(vae, x, new Generator(1), batchSize: 10);

        // Independently, in float64: the same ε (Generator(1), batches of 10 in order), BCE and KL from their formulas.
        double rate = 0, distortion = 0;
        var noise = new Generator(1);
        using (no_grad())
            for (int start = 0; start < 23; start += 10)
            {
                var batch = x.narrow(0, start, Math.Min(10, 23 - start));
                var (mu, logVar) = vae.Encode(batch);
                var z = mu + (logVar * 0.5).exp() * randn(mu.shape, generator: noise);
                var p = vae.Decode(z).to(ScalarType.Float64).sigmoid();
                var xd = batch.to(ScalarType.Float64);
                distortion -= (xd * p.log() + (1 - xd) * (1 - p).log()).sum().item<double>();
                var (m, v) = (mu.to(ScalarType.Float64), logVar.to(ScalarType.Float64));
                rate += ((m.pow(2) + v.exp() - 1 - v) * 0.5).sum().item<double>();
            }
        Assert.Equal(rate / 23, measured.Rate, 3);
        Assert.Equal(distortion / 23, measured.Distortion, 2);
        Assert.False(vae.training);   // left in eval mode
    }

    [Fact]
    public void Given_rate_and_distortion_When_combined_Then_the_beta_loss_weighs_the_rate()
    {
        var point = new RateDistortion(Rate: 6.5, Distortion: 240);
        Assert.Equal(246.5, point.NegativeElbo, 9);
        Assert.Equal(240 + 4 * 6.5, point.Loss(4), 9);
        Assert.Equal(point.NegativeElbo, point.Loss(1), 9);
    }

    [Fact]
    public void Given_points_of_a_beta_sweep_When_charted_Then_the_elbo_line_passes_through_the_best_and_the_text_lists_them()
    {
        var chart = RateDistortionChart.Of([("β = 1", new RateDistortion(15.7, 226.2)), ("β = 4", new RateDistortion(6.9, 242.7)), ("β = 16", new RateDistortion(2.7, 276.1))]);
        Assert.Equal(241.9, chart.BestNegativeElbo, 9);
        Assert.Equal(["β = 1", "β = 4", "β = 16"], chart.Points.Select(p => p.Label));
        Assert.Equal("β = 1: rate 15.70, distortion 226.2; β = 4: rate 6.90, distortion 242.7; β = 16: rate 2.70, distortion 276.1", chart.ToString());
        var html = chart.ToHtml();
        Assert.Contains("\"dash\":\"dash\"", html);
        Assert.Contains("β = 16", html);
        Assert.Throws<ArgumentException>(() => RateDistortionChart.Of([]));
    }
}
