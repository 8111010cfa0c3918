using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace AeCourse.Models;

/// <summary>
/// The network of the rotation pretext task (Gidaris et al., 2018): an encoder of the same shape as
/// <see cref="ConvAutoencoder"/>'s — two stride-2 convolutions and a linear layer to <c>latentDim</c> features — and a
/// small head that says which of the four quarter turns (<see cref="Data.RotationPretext"/>) an image was given. After
/// the pretext training the head is thrown away and <see cref="Encode"/> gives the features, as an autoencoder's
/// encoder does after its decoder is set aside; the same shape makes the two comparable under one probe.
/// </summary>
public sealed class RotationClassifier : Module<Tensor, Tensor>
{
    readonly Sequential encoder;
    readonly Sequential head;

    /// <param name="latentDim">Size of the features.</param>
    /// <param name="channels">Feature maps after the first and second convolution.</param>
    /// <param name="rotations">Pretext classes (4 quarter turns).</param>
    public RotationClassifier(int latentDim = 32, int channels = 32, int rotations = 4) : base(nameof(RotationClassifier))
    {
        int wide = 2 * channels;
        encoder = Sequential(
            Conv2d(1, channels, 4, stride: 2, padding: 1), ReLU(),       // [B, 1, 28, 28] → [B, c, 14, 14]
            Conv2d(channels, wide, 4, stride: 2, padding: 1), ReLU(),    // → [B, 2c, 7, 7]
            Flatten(),                                                   // → [B, 2c·49]
            Linear(wide * 49, latentDim));                               // → [B, latentDim]
        head = Sequential(ReLU(), Linear(latentDim, rotations));         // → [B, rotations] logits
        RegisterComponents();
    }

    /// <summary>The encoder alone: images [B, 1, 28, 28] → features [B, latentDim].</summary>
    public Module<Tensor, Tensor> Encoder => encoder;

    /// <summary>Features [B, latentDim] of images [B, 1, 28, 28].</summary>
    public Tensor Encode(Tensor x) => encoder.forward(x);

    /// <summary>Rotation logits [B, rotations].</summary>
    public override Tensor forward(Tensor x) => head.forward(encoder.forward(x));
}
