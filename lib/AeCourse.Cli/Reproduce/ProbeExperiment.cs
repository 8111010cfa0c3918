using AeCourse.Metrics;
using AeCourse.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace AeCourse.Cli.Reproduce;

/// <summary>Lecture 03: a linear classifier with 100 labels per class, on raw pixels and on a pretrained, frozen encoder.</summary>
static class ProbeExperiment
{
    const int LabelsPerClass = 100;

    public static Experiment Definition =>
        new("probe-100", "linear probe with 100 labels per class: raw pixels, then the frozen encoder of dense-ae-32 (test accuracy)", 10, Run);

    static void Run(ExperimentRun run)
    {
        var (train, test) = (run.Data.Train, run.Data.Test);
        run.Report("test_accuracy_raw_pixels", LinearProbeAccuracy.Evaluate(x => x.flatten(1), train, test, LabelsPerClass).Accuracy);

        // Pretraining: the autoencoder sees every training image, never a label.
        using var ae = new DenseAutoencoder(latentDim: 32).to(Runtime.Setup.Device);
        AutoencoderExperiments.TrainOnBce(run, ae, x => x.flatten(1));
        run.Report("test_accuracy_frozen_encoder", LinearProbeAccuracy.Evaluate(x => ae.Encode(x.flatten(1)), train, test, LabelsPerClass).Accuracy);
    }
}
