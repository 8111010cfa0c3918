using AeCourse.Data;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using static TorchSharp.torch.nn.functional;

namespace AeCourse.Metrics;

/// <summary>What a linear probe reached: test accuracy, and the labels it was allowed.</summary>
/// <param name="Accuracy">Fraction of test images classified right.</param>
/// <param name="LabelsPerClass">Labelled training images per class.</param>
/// <param name="FeatureDim">Size of the features the classifier saw.</param>
public sealed record ProbeResult(double Accuracy, int LabelsPerClass, long FeatureDim)
{
    /// <inheritdoc />
    public override string ToString() => $"{Accuracy:P1} test accuracy from {LabelsPerClass} labels per class on {FeatureDim} features";
}

/// <summary>
/// The pretraining lecture's measurement: how well a linear classifier (multinomial logistic regression) separates the
/// classes in a representation when it may see only k labelled images per class. The representation is fixed (a frozen
/// encoder, or raw pixels), so its features are computed once; the classifier is trained full-batch with Adam.
/// </summary>
public static class LinearProbeAccuracy
{
    /// <summary>Trains a probe on k labelled train images per class and returns its test accuracy.</summary>
    /// <param name="features">x [B, 1, 28, 28] → features [B, F], e.g. <c>x =&gt; x.flatten(1)</c> or <c>x =&gt; ae.Encode(x.flatten(1))</c>.</param>
    /// <param name="train">Where the labelled images are drawn from (stratified, seeded).</param>
    /// <param name="test">Where accuracy is measured.</param>
    /// <param name="labelsPerClass">k.</param>
    /// <param name="steps">Full-batch Adam steps.</param>
    /// <param name="lr">Adam's learning rate.</param>
    /// <param name="seed">Seed of the labelled sample.</param>
    public static ProbeResult Evaluate(Func<Tensor, Tensor> features, LabeledImages train, LabeledImages test, int labelsPerClass,
                                       int steps = 300, double lr = 1e-2, int seed = 0)
    {
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), steps, "train at least one step");
        using var scope = NewDisposeScope();
        var chosen = tensor(StratifiedSampler.Sample(train.Y, labelsPerClass, seed)).to(train.X.device);
        var trainFeatures = Batched.Map(train.X.index_select(0, chosen), x => features(x).flatten(1), 1000);   // [k·classes, F]
        var testFeatures = Batched.Map(test.X, x => features(x).flatten(1), 1000);                           // [Ntest, F]
        var trainLabels = train.Y.index_select(0, chosen);
        int classes = train.ClassNames.Count;

        using var head = Linear(trainFeatures.shape[1], classes, device: trainFeatures.device);
        using var optimizer = optim.Adam(head.parameters(), lr);
        for (int step = 0; step < steps; step++)
        {
            Runtime.Interrupts.ThrowIfRequested(() => $"probe step {step} of {steps}");
            using var stepScope = NewDisposeScope();
            var loss = cross_entropy(head.forward(trainFeatures), trainLabels);
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
        }
        using (no_grad())
            return new ProbeResult(Accuracy(head.forward(testFeatures), test.Y), labelsPerClass, trainFeatures.shape[1]);
    }

    /// <summary>Fraction of rows whose largest logit is at the label.</summary>
    public static double Accuracy(Tensor logits, Tensor labels)
    {
        using var scope = NewDisposeScope();
        return logits.argmax(1).eq(labels).to(ScalarType.Float64).mean().item<double>();
    }
}
