using AeCourse.Metrics;
using AeCourse.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace AeCourse.Cli.Reproduce;

/// <summary>
/// Lecture 07: a DCGAN, judged by the domain Fréchet distance between its samples and the test images on the features
/// of a classifier trained here on the same data (not Inception FID).
/// </summary>
static class DcganExperiment
{
    public static Experiment Definition =>
        new("dcgan", "DCGAN, non-saturating losses, label smoothing 0.9 (domain Frechet distance on the kit's classifier)", 5, Run);

    static void Run(ExperimentRun run)
    {
        var device = Runtime.Setup.Device;
        using var classifier = GanTraining.TrainClassifier(run, epochs: Math.Min(3, run.Epochs));
        run.Report("classifier_test_accuracy", run.MeanOverTest((x, y) => LinearProbeAccuracy.Accuracy(classifier.forward(x), y) * x.shape[0]));

        using var generator = new DcganGenerator(GanTraining.LatentDim).to(device);
        using var discriminator = new DcganDiscriminator().to(device);
        GanTraining.Fit(run, generator, discriminator, conditional: false,
            (z, _) => generator.forward(z).sigmoid(),   // [B, 1, 28, 28] in [0, 1]
            (x, _) => discriminator.forward(x));
        run.Report("domain_frechet_distance", GanTraining.DomainFrechetDistance(run, classifier, (z, _) => generator.forward(z).sigmoid()));
    }
}
