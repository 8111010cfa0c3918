using AeCourse.Metrics;
using AeCourse.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace AeCourse.Cli.Reproduce;

/// <summary>
/// Lecture 07: a class-conditional DCGAN (one-hot label concatenated to z in G, repeated as ten input channels in D),
/// trained as <see cref="DcganExperiment"/> with the labels, judged by how often the kit's classifier names the
/// requested class of its samples, and by the domain Fréchet distance between its samples (classes 0–9 in turn) and
/// the test images on that classifier's features.
/// </summary>
static class ConditionalDcganExperiment
{
    public static Experiment Definition =>
        new("conditional-dcgan", "class-conditional DCGAN, as dcgan with one-hot labels (requested-class accuracy; domain Frechet distance)", 5, Run);

    static void Run(ExperimentRun run)
    {
        var device = Runtime.Setup.Device;
        using var classifier = GanTraining.TrainClassifier(run, epochs: Math.Min(3, run.Epochs));
        run.Report("classifier_test_accuracy", run.MeanOverTest((x, y) => LinearProbeAccuracy.Accuracy(classifier.forward(x), y) * x.shape[0]));

        using var generator = new ConditionalDcganGenerator(GanTraining.LatentDim, GanTraining.Classes).to(device);
        using var discriminator = new ConditionalDcganDiscriminator(GanTraining.Classes).to(device);
        GanTraining.Fit(run, generator, discriminator, conditional: true,
            (z, y) => generator.forward(z, y!).sigmoid(),   // [B, 1, 28, 28] in [0, 1]
            (x, y) => discriminator.forward(x, y!));

        double agree = 0;
        var distance = GanTraining.DomainFrechetDistance(run, classifier, (z, requested) => generator.forward(z, requested).sigmoid(),
            (fake, requested) => agree += classifier.forward(fake).argmax(1).eq(requested).sum().item<long>());
        run.Report("requested_class_accuracy", agree / run.Data.Test.Count);
        run.Report("domain_frechet_distance", distance);
    }
}
