using AeCourse.Losses;
using AeCourse.Metrics;
using AeCourse.Models;
using AeCourse.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace AeCourse.Cli.Reproduce;

/// <summary>Lectures 05 and 06: the VAE's test ELBO and likelihood, and the β sweep's rate, distortion and active units.</summary>
static class VaeExperiments
{
    public static IEnumerable<Experiment> All =>
    [
        new("vae-20", "dense VAE 784-400-20: test negative ELBO and importance-weighted NLL (k = 100), nats per image", 10, Vae20),
        new("beta-vae", "dense VAE with 10 latents for beta 1, 4, 16: rate, distortion (nats per image), active units", 10, BetaSweep),
    ];

    static void Vae20(ExperimentRun run)
    {
        using var vae = Train(run, latentDim: 20, beta: 1);
        var (distortion, rate) = TestTerms(run, vae);
        run.Report("test_neg_elbo_nats", distortion + rate);
        using var samples = new Generator(2);
        // k = 100 samples per image, 100 images at a time: 10,000 decodes per batch.
        double nll = 0;
        var x = run.Data.Test.Flat;
        for (long start = 0; start < x.shape[0]; start += 100)
        {
            var batch = x.narrow(0, start, Math.Min(100, x.shape[0] - start));
            nll += ImportanceWeightedNll.Estimate(vae, batch, k: 100, generator: samples) * batch.shape[0];
        }
        run.Report("test_iw_nll_nats", nll / x.shape[0]);
    }

    static void BetaSweep(ExperimentRun run)
    {
        foreach (var beta in new[] { 1, 4, 16 })
        {
            using var vae = Train(run, latentDim: 10, beta: beta);
            var (distortion, rate) = TestTerms(run, vae);
            int active;
            // No graph and nothing left to the collector: only the means are read.
            using (no_grad())
            using (NewDisposeScope()) active = LatentStatistics.ActiveUnits(vae.Encode(run.Data.Test.Flat).Mu);
            run.Report($"test_rate_nats_beta{beta}", rate);
            run.Report($"test_distortion_nats_beta{beta}", distortion);
            run.Report($"active_units_beta{beta}", active);
        }
    }

    static DenseVae Train(ExperimentRun run, int latentDim, double beta)
    {
        Runtime.Setup.Initialize(seed: 0, quiet: true);   // each model of a sweep starts from the same seed
        var vae = new DenseVae(latentDim: latentDim).to(Runtime.Setup.Device);
        using var optimizer = optim.Adam(vae.parameters(), 1e-3);
        new Trainer(vae, optimizer, (x, _) =>
        {
            var (logits, mu, logVar) = vae.forward(x.flatten(1));
            return Elbo.Negative(logits, x.flatten(1), mu, logVar, beta).Loss;
        }).Fit(run.Data.Train.X, null, run.Options());
        vae.eval();
        return vae;
    }

    /// <summary>Test distortion (BCE per image with one z sample) and rate (KL per image), nats.</summary>
    static (double Distortion, double Rate) TestTerms(ExperimentRun run, GaussianVae vae)
    {
        using var generator = new Generator(1);
        var measured = RateDistortion.Measure(vae, run.Data.Test.X, generator);
        return (measured.Distortion, measured.Rate);
    }
}
