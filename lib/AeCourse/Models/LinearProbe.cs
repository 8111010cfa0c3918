using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace AeCourse.Models;

/// <summary>
/// A linear classifier on top of an encoder — the pretraining lecture's probe. Frozen, it measures how linearly
/// separable the classes are in the code; unfrozen, it fine-tunes the encoder, usually with a lower learning rate
/// (<see cref="ParameterGroups"/>).
/// </summary>
public sealed class LinearProbe : Module<Tensor, Tensor>
{
    readonly Module<Tensor, Tensor> encoder;
    readonly Linear head;

    /// <param name="encoder">x → z [B, latentDim]; its parameters are shared, not copied.</param>
    /// <param name="latentDim">Size of z.</param>
    /// <param name="classes">Number of classes.</param>
    /// <param name="freezeEncoder">Keep the encoder's weights fixed (no gradients).</param>
    public LinearProbe(Module<Tensor, Tensor> encoder, int latentDim, int classes = 10, bool freezeEncoder = true) : base(nameof(LinearProbe))
    {
        this.encoder = encoder;
        head = Linear(latentDim, classes);
        RegisterComponents();
        FreezeEncoder = freezeEncoder;
    }

    /// <summary>Whether the encoder is frozen; setting it switches its parameters' requires_grad.</summary>
    public bool FreezeEncoder
    {
        get => !encoder.parameters().Any(p => p.requires_grad);
        set
        {
            foreach (var p in encoder.parameters()) p.requires_grad = !value;
        }
    }

    /// <summary>
    /// Optimizer groups for fine-tuning: the head at <paramref name="headLr"/>, the encoder at the lower
    /// <paramref name="encoderLr"/> (so pretrained features are adjusted, not overwritten).
    /// </summary>
    public IEnumerable<Adam.ParamGroup> ParameterGroups(double headLr, double encoderLr) =>
    [
        new(head.parameters(), new Adam.Options { LearningRate = headLr }),
        new(encoder.parameters(), new Adam.Options { LearningRate = encoderLr }),
    ];

    /// <summary>Class logits [B, classes]; with a frozen encoder no graph is kept through it.</summary>
    public override Tensor forward(Tensor x)
    {
        if (!FreezeEncoder) return head.forward(encoder.forward(x));
        Tensor z;
        using (no_grad()) z = encoder.forward(x);   // frozen: no graph through the encoder, only through the head
        return head.forward(z);
    }
}
