using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace AeCourse.Models;

/// <summary>
/// A class-conditional DCGAN generator for 28×28 images (Mirza &amp; Osindero 2014, on the DCGAN of
/// <see cref="DcganGenerator"/>): the class enters as a one-hot vector concatenated to z, so the first linear layer
/// learns one offset of the [2c, 7, 7] feature map per class; the rest is DCGAN's transposed-convolution stack.
/// A one-hot input rather than a learnt embedding: with ten classes the two are the same thing (the linear layer's
/// columns for the one-hot are an embedding), and a one-hot needs no extra parameters.
/// </summary>
public sealed class ConditionalDcganGenerator : Module<Tensor, Tensor, Tensor>
{
    readonly Linear project;
    readonly Sequential layers;

    /// <summary>Size of the noise vector z.</summary>
    public int LatentDim { get; }

    /// <summary>Number of classes the generator can be asked for.</summary>
    public int Classes { get; }

    /// <param name="latentDim">Size of z.</param>
    /// <param name="classes">Number of classes.</param>
    /// <param name="channels">Feature maps at 14×14; twice as many at 7×7.</param>
    public ConditionalDcganGenerator(int latentDim = 64, int classes = 10, int channels = 64) : base(nameof(ConditionalDcganGenerator))
    {
        (LatentDim, Classes) = (latentDim, classes);
        int wide = 2 * channels;
        project = Linear(latentDim + classes, wide * 49);                                     // [z, one-hot] → [B, 2c·49]
        layers = Sequential(
            BatchNorm1d(wide * 49), ReLU(),
            Unflatten(1, [wide, 7, 7]),                                                   // [B, 2c, 7, 7]
            ConvTranspose2d(wide, channels, 4, stride: 2, padding: 1), BatchNorm2d(channels), ReLU(),   // [B, c, 14, 14]
            ConvTranspose2d(channels, 1, 4, stride: 2, padding: 1));                      // [B, 1, 28, 28] logits
        RegisterComponents();
    }

    /// <summary>Image logits for noise z [B, latentDim] and class labels [B] (int64); sigmoid gives the image.</summary>
    public override Tensor forward(Tensor z, Tensor labels)
    {
        using var scope = NewDisposeScope();
        var oneHot = nn.functional.one_hot(labels.to(ScalarType.Int64), Classes).to(z.dtype);   // [B, classes]
        return layers.forward(project.forward(cat([z, oneHot], 1))).MoveToOuterDisposeScope();
    }
}
