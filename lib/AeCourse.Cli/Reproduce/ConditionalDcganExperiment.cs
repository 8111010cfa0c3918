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
/// Lecture 07: a class-conditional DCGAN (one-hot label concatenated to z in G, repeated as ten input channels in D),
/// judged by how often the kit's classifier names the requested class of its samples, and by the domain Fréchet
/// distance between its samples (classes 0–9 in turn) and the test images on that classifier's features.
/// </summary>
static class ConditionalDcganExperiment
{
    const int LatentDim = 64;
    const int Classes = 10;

    public static Experiment Definition =>
        new("conditional-dcgan", "class-conditional DCGAN, as dcgan with one-hot labels (requested-class accuracy; domain Frechet distance)", 5, Run);

    static void Run(ExperimentRun run)
    {
        var device = Runtime.Setup.Device;
        using var classifier = DcganExperiment.TrainClassifier(run, epochs: Math.Min(3, run.Epochs));
        run.Report("classifier_test_accuracy", run.MeanOverTest((x, y) => LinearProbeAccuracy.Accuracy(classifier.forward(x), y) * x.shape[0]));

        using var generator = new ConditionalDcganGenerator(LatentDim, Classes).to(device);
        using var discriminator = new ConditionalDcganDiscriminator(Classes).to(device);
        using var gOptimizer = optim.Adam(generator.parameters(), 2e-4, beta1: 0.5, beta2: 0.999);
        using var dOptimizer = optim.Adam(discriminator.parameters(), 2e-4, beta1: 0.5, beta2: 0.999);
        using var batches = new BatchIterator(run.Data.Train.X, run.Data.Train.Y, 128, shuffle: true, seed: 0);
        for (int epoch = 1; epoch <= run.Epochs; epoch++)
        {
            generator.train();
            discriminator.train();
            double dTotal = 0, gTotal = 0;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            foreach (var (real, y) in batches)
            {
                using var scope = NewDisposeScope();
                // The generator draws the batch's own classes, so the classes come as often as in the data.
                var fake = generator.forward(randn(real.shape[0], LatentDim, device: device), y).sigmoid();   // [B, 1, 28, 28]
                var dLoss = GanLosses.Discriminator(discriminator.forward(real, y), discriminator.forward(fake.detach(), y), smoothing: 0.1);
                dOptimizer.zero_grad();
                dLoss.backward();
                dOptimizer.step();
                var gLoss = GanLosses.Generator(discriminator.forward(fake, y));
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
        double agree = 0;
        // As many generated images as test images, in the same batches, asking for classes 0, 1, …, 9, 0, … in turn.
        using var testBatches = new BatchIterator(run.Data.Test.X, null, 500, shuffle: false);
        foreach (var (x, _) in testBatches)
        {
            var z = randn(x.shape[0], LatentDim, generator: latent).to(device);
            var requested = arange(x.shape[0], device: device).remainder(Classes);
            var fake = generator.forward(z, requested).sigmoid();
            agree += classifier.forward(fake).argmax(1).eq(requested).sum().item<long>();
            fakeFeatures.Add(classifier.Features(fake));
            realFeatures.Add(classifier.Features(x));
        }
        run.Report("requested_class_accuracy", agree / run.Data.Test.Count);
        run.Report("domain_frechet_distance", FrechetDistance.Between(cat(fakeFeatures, 0), cat(realFeatures, 0)));
    }
}
