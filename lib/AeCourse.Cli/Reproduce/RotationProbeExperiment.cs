using AeCourse.Data;
using AeCourse.Metrics;
using AeCourse.Models;
using AeCourse.Training;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace AeCourse.Cli.Reproduce;

/// <summary>
/// Lecture 08: the rotation pretext task (Gidaris et al., 2018) — a convolutional encoder trained to tell which of four
/// quarter turns an image was given, no class label seen — then a linear probe with 100 labels per class on its frozen
/// features, beside the same probe on raw pixels.
/// </summary>
static class RotationProbeExperiment
{
    const int LabelsPerClass = 100;

    public static Experiment Definition =>
        new("rotation-probe-100", "rotation pretext encoder (conv, 32 features), then a linear probe with 100 labels per class (test accuracy)", 5, Run);

    static void Run(ExperimentRun run)
    {
        var (train, test) = (run.Data.Train, run.Data.Test);
        run.Report("test_accuracy_raw_pixels", LinearProbeAccuracy.Evaluate(x => x.flatten(1), train, test, LabelsPerClass).Accuracy);

        // Pretext training: every batch of 128 in its four turns (512 images), cross-entropy of the turn; no class label.
        using var model = new RotationClassifier(latentDim: 32, channels: 32).to(Runtime.Setup.Device);
        using var optimizer = optim.Adam(model.parameters(), 1e-3);
        new Trainer(model, optimizer, (x, _) =>
        {
            var (turned, k) = RotationPretext.Batch(x);
            return cross_entropy(model.forward(turned), k);
        }).Fit(train.X, null, run.Options());
        model.eval();
        run.Report("test_rotation_accuracy", run.MeanOverTest((x, _) =>
        {
            var (turned, k) = RotationPretext.Batch(x);
            return LinearProbeAccuracy.Accuracy(model.forward(turned), k) * x.shape[0];
        }));
        run.Report("test_accuracy_rotation_encoder", LinearProbeAccuracy.Evaluate(x => model.Encode(x), train, test, LabelsPerClass).Accuracy);
    }
}
