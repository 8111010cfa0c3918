using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace AeCourse.Models;

/// <summary>
/// A class-conditional DCGAN discriminator for 28×28 images: the class enters as <c>classes</c> extra input channels,
/// the one-hot label repeated over the image (Mirza &amp; Osindero 2014), so from the first convolution on D judges
/// "a real image of this class" and can reject a good image of the wrong class. The rest is
/// <see cref="DcganDiscriminator"/>: strided convolutions, LeakyReLU(0.2), batch normalisation, one logit per image.
/// </summary>
public sealed class ConditionalDcganDiscriminator : Module<Tensor, Tensor, Tensor>
{
    readonly Sequential layers;

    /// <summary>Number of classes.</summary>
    public int Classes { get; }

    /// <param name="classes">Number of classes.</param>
    /// <param name="channels">Feature maps at 14×14; twice as many at 7×7.</param>
    public ConditionalDcganDiscriminator(int classes = 10, int channels = 64) : base(nameof(ConditionalDcganDiscriminator))
    {
        Classes = classes;
        int wide = 2 * channels;
        layers = Sequential(
            Conv2d(1 + classes, channels, 4, stride: 2, padding: 1), LeakyReLU(0.2),             // [B, c, 14, 14]
            Conv2d(channels, wide, 4, stride: 2, padding: 1), BatchNorm2d(wide), LeakyReLU(0.2), // [B, 2c, 7, 7]
            Flatten(),
            Linear(wide * 49, 1));                                                              // [B, 1]
        RegisterComponents();
    }

    /// <summary>One logit per image [B, 1, H, W] and its class label [B] → [B]: positive means "a real image of this class".</summary>
    public override Tensor forward(Tensor x, Tensor labels)
    {
        using var scope = NewDisposeScope();
        var oneHot = nn.functional.one_hot(labels.to(ScalarType.Int64), Classes).to(x.dtype);          // [B, classes]
        var maps = oneHot.view(-1, Classes, 1, 1).expand(-1, -1, x.shape[2], x.shape[3]);              // [B, classes, H, W]
        return layers.forward(cat([x, maps], 1)).squeeze(1).MoveToOuterDisposeScope();
    }
}
