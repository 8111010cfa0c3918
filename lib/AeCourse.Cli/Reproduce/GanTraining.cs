using AeCourse.Data;
using AeCourse.Losses;
using AeCourse.Metrics;
using AeCourse.Models;
using AeCourse.Training;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace AeCourse.Cli.Reproduce;

/// <summary>
/// What lecture 07's two GAN setups share, unconditional (<see cref="DcganExperiment"/>) and class-conditional
/// (<see cref="ConditionalDcganExperiment"/>): the classifier whose features judge them, the adversarial training, and
/// the domain Fréchet distance of as many samples as test images. A conditional run passes the labels and uses them;
/// an unconditional one ignores them.
/// </summary>
static class GanTraining
{
    public const int LatentDim = 64;
    public const int Classes = 10;

    /// <summary>The classifier whose features the domain Fréchet distance uses (and whose labels judge conditional samples).</summary>
    public static ImageClassifier TrainClassifier(ExperimentRun run, int epochs)
    {
        var classifier = new ImageClassifier().to(Runtime.Setup.Device);
        using var optimizer = optim.Adam(classifier.parameters(), 1e-3);
        new Trainer(classifier, optimizer, (x, y) => cross_entropy(classifier.forward(x), y)).Fit(run.Data.Train.X, run.Data.Train.Y, run.Options(epochs));
        classifier.eval();
        return classifier;
    }

    /// <summary>
    /// Trains <paramref name="generator"/> against <paramref name="discriminator"/> for the run's epochs: Adam at 2e-4,
    /// β₁ 0.5, batches of 128; each step one discriminator step (real towards 0.9, one-sided smoothing; generated
    /// towards 0, no gradient into the generator), then one non-saturating generator step. <paramref name="generate"/>
    /// maps z [B, LatentDim] and the batch's labels to images [B, 1, 28, 28] in [0, 1]; <paramref name="judge"/> maps
    /// images and labels to logits. Labels are null unless <paramref name="conditional"/>.
    /// </summary>
    public static void Fit(ExperimentRun run, nn.Module generator, nn.Module discriminator, bool conditional,
                           Func<Tensor, Tensor?, Tensor> generate, Func<Tensor, Tensor?, Tensor> judge)
    {
        var device = Runtime.Setup.Device;
        using var gOptimizer = optim.Adam(generator.parameters(), 2e-4, beta1: 0.5, beta2: 0.999);
        using var dOptimizer = optim.Adam(discriminator.parameters(), 2e-4, beta1: 0.5, beta2: 0.999);
        using var batches = new BatchIterator(run.Data.Train.X, conditional ? run.Data.Train.Y : null, 128, shuffle: true, seed: 0);
        for (int epoch = 1; epoch <= run.Epochs; epoch++)
        {
            generator.train();
            discriminator.train();
            double dTotal = 0, gTotal = 0;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            foreach (var (real, y) in batches)
            {
                using var scope = NewDisposeScope();
                // A conditional generator draws the batch's own classes, so the classes come as often as in the data.
                var fake = generate(randn(real.shape[0], LatentDim, device: device), y);
                var dLoss = GanLosses.Discriminator(judge(real, y), judge(fake.detach(), y), smoothing: 0.1);
                dOptimizer.zero_grad();
                dLoss.backward();
                dOptimizer.step();
                var gLoss = GanLosses.Generator(judge(fake, y));   // non-saturating: maximise log D(G(z))
                gOptimizer.zero_grad();
                gLoss.backward();
                gOptimizer.step();
                dTotal += dLoss.item<float>() * real.shape[0];
                gTotal += gLoss.item<float>() * real.shape[0];
            }
            run.Log.WriteLine($"epoch {epoch}: discriminator_loss {dTotal / run.Data.Train.Count:G4}, generator_loss {gTotal / run.Data.Train.Count:G4}, seconds {clock.Elapsed.TotalSeconds:F1}");
        }
        generator.eval();
    }

    /// <summary>
    /// The domain Fréchet distance between as many samples as test images and the test images, on the classifier's
    /// features, drawn in the test set's batches of 500 from a fixed noise stream (seed 3) and asking for classes 0, 1,
    /// …, 9, 0, … in turn (an unconditional <paramref name="generate"/> ignores them). <paramref name="inspect"/> sees
    /// each batch of samples with the classes asked for.
    /// </summary>
    public static double DomainFrechetDistance(ExperimentRun run, ImageClassifier classifier, Func<Tensor, Tensor, Tensor> generate,
                                               Action<Tensor, Tensor>? inspect = null)
    {
        var device = Runtime.Setup.Device;
        classifier.eval();
        using var noGrad = no_grad();
        using var featuresScope = NewDisposeScope();
        using var latent = new Generator(3);
        var fakeFeatures = new List<Tensor>();
        var realFeatures = new List<Tensor>();
        using var testBatches = new BatchIterator(run.Data.Test.X, null, 500, shuffle: false);
        foreach (var (x, _) in testBatches)
        {
            var z = randn(x.shape[0], LatentDim, generator: latent).to(device);
            var requested = arange(x.shape[0], device: device).remainder(Classes);
            var fake = generate(z, requested);
            inspect?.Invoke(fake, requested);
            fakeFeatures.Add(classifier.Features(fake));
            realFeatures.Add(classifier.Features(x));
        }
        return FrechetDistance.Between(cat(fakeFeatures, 0), cat(realFeatures, 0));
    }
}
