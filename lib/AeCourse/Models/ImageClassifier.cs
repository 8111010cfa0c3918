using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace AeCourse.Models;

/// <summary>
/// A small convolutional classifier of 28×28 images. The kit trains it on the course's dataset for the domain Fréchet
/// distance: its 128 penultimate features play the part Inception's play in FID (so the numbers are not comparable with
/// published FIDs), and for "from scratch" baselines.
/// </summary>
public sealed class ImageClassifier : Module<Tensor, Tensor>
{
    readonly Sequential features;
    readonly Linear head;

    /// <summary>Size of <see cref="Features"/>.</summary>
    public const int FeatureDim = 128;

    /// <param name="classes">Number of classes.</param>
    public ImageClassifier(int classes = 10) : base(nameof(ImageClassifier))
    {
        features = Sequential(
            Conv2d(1, 32, 3, padding: 1), ReLU(), MaxPool2d(2),      // [B, 1, 28, 28] → [B, 32, 14, 14]
            Conv2d(32, 64, 3, padding: 1), ReLU(), MaxPool2d(2),     // → [B, 64, 7, 7]
            Flatten(),
            Linear(64 * 49, FeatureDim), ReLU());                    // → [B, 128]
        head = Linear(FeatureDim, classes);
        RegisterComponents();
    }

    /// <summary>The penultimate features [B, 128] of images [B, 1, 28, 28] in [0, 1].</summary>
    public Tensor Features(Tensor x) => features.forward(x);

    /// <summary>Class logits [B, classes].</summary>
    public override Tensor forward(Tensor x) => head.forward(Features(x));
}
