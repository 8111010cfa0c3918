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
/// Lecture 07: a DCGAN, judged by the domain Fréchet distance between its samples and the test images on the features
/// of a classifier trained here on the same data (not Inception FID).
/// </summary>
static class DcganExperiment
{
    const int LatentDim = 64;

    public static Experiment Definition =>
        new("dcgan", "DCGAN, non-saturating losses, label smoothing 0.9 (domain Frechet distance on the kit's classifier)", 5, Run);

    static void Run(ExperimentRun run)
    {
        var device = Runtime.Setup.Device;
        using var classifier = TrainClassifier(run, epochs: Math.Min(3, run.Epochs));
        run.Report("classifier_test_accuracy", run.MeanOverTest((x, y) => LinearProbeAccuracy.Accuracy(classifier.forward(x), y) * x.shape[0]));

        using var generator = new DcganGenerator(LatentDim).to(device);
        using var discriminator = new DcganDiscriminator().to(device);
        using var gOptimizer = optim.Adam(generator.parameters(), 2e-4, beta1: 0.5, beta2: 0.999);
        using var dOptimizer = optim.Adam(discriminator.parameters(), 2e-4, beta1: 0.5, beta2: 0.999);
        using var batches = new BatchIterator(run.Data.Train.X, null, 128, shuffle: true, seed: 0);
        for (int epoch = 1; epoch <= run.Epochs; epoch++)
        {
            generator.train();
            discriminator.train();
            double dTotal = 0, gTotal = 0;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            foreach (var (real, _) in batches)
            {
                using var scope = NewDisposeScope();
                var fake = generator.forward(randn(real.shape[0], LatentDim, device: device)).sigmoid();   // [B, 1, 28, 28] in [0, 1]
                // The discriminator: real towards 0.9 (one-sided smoothing), fake towards 0; no gradient into the generator.
                var dLoss = GanLosses.Discriminator(discriminator.forward(real), discriminator.forward(fake.detach()), smoothing: 0.1);
                dOptimizer.zero_grad();
                dLoss.backward();
                dOptimizer.step();
                // The generator, non-saturating: maximise log D(G(z)).
                var gLoss = GanLosses.Generator(discriminator.forward(fake));
                gOptimizer.zero_grad();
                gLoss.backward();
                gOptimizer.step();
                dTotal += dLoss.item<float>() * real.shape[0];
                gTotal += gLoss.item<float>() * real.shape[0];
            }
            run.Log.WriteLine($"epoch {epoch}: discriminator_loss {dTotal / run.Data.Train.Count:G4}, generator_loss {gTotal / run.Data.Train.Count:G4}, seconds {clock.Elapsed.TotalSeconds:F1}");
        }

        generator.eval();
        classifier.eval();
        using var noGrad = no_grad();
        using var featuresScope = NewDisposeScope();
        using var latent = new Generator(3);
        var fakeFeatures = new List<Tensor>();
        var realFeatures = new List<Tensor>();
        // As many generated images as test images, in the same batches.
        using var testBatches = new BatchIterator(run.Data.Test.X, null, 500, shuffle: false);
        foreach (var (x, _) in testBatches)
        {
            var z = randn(x.shape[0], LatentDim, generator: latent).to(device);
            fakeFeatures.Add(classifier.Features(generator.forward(z).sigmoid()));
            realFeatures.Add(classifier.Features(x));
        }
        run.Report("domain_frechet_distance", FrechetDistance.Between(cat(fakeFeatures, 0), cat(realFeatures, 0)));
    }

    /// <summary>The classifier whose features the domain Fréchet distance uses (and whose labels judge conditional samples).</summary>
    internal static ImageClassifier TrainClassifier(ExperimentRun run, int epochs)
    {
        var classifier = new ImageClassifier().to(Runtime.Setup.Device);
        using var optimizer = optim.Adam(classifier.parameters(), 1e-3);
        new Trainer(classifier, optimizer, (x, y) => cross_entropy(classifier.forward(x), y)).Fit(run.Data.Train.X, run.Data.Train.Y, run.Options(epochs));
        classifier.eval();
        return classifier;
    }
}
