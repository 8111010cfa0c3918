using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace AeCourse.Models;

/// <summary>
/// The classic one-layer autoencoder of the regularised-autoencoder papers: x [B, 784] → h = sigmoid(W x + b)
/// [B, hiddenDim] → logits = V h + c [B, 784], with xHat = sigmoid(logits). The code h lies in (0, 1), which is what the
/// KL sparsity penalty needs, and the encoder's Jacobian has the closed form ∂h_j/∂x_i = h_j (1 − h_j) W_ji that
/// <see cref="Losses.ContractivePenalty.SigmoidLayer"/> uses. With hiddenDim larger than the input it is overcomplete.
/// </summary>
public sealed class SigmoidAutoencoder : Module<Tensor, Tensor>
{
    readonly Linear encoder;
    readonly Linear decoder;

    /// <summary>Size of the code h.</summary>
    public int HiddenDim { get; }

    /// <param name="inputDim">Pixels per image.</param>
    /// <param name="hiddenDim">Units of the code; above inputDim the model is overcomplete.</param>
    public SigmoidAutoencoder(int inputDim = 784, int hiddenDim = 1024) : base(nameof(SigmoidAutoencoder))
    {
        HiddenDim = hiddenDim;
        encoder = Linear(inputDim, hiddenDim);
        decoder = Linear(hiddenDim, inputDim);
        RegisterComponents();
    }

    /// <summary>The encoder's weight W, [hiddenDim, inputDim] (for the contractive penalty).</summary>
    public Tensor EncoderWeight => encoder.weight!;

    /// <summary>The code h = sigmoid(W x + b), [B, hiddenDim], each unit in (0, 1).</summary>
    public Tensor Encode(Tensor x) => encoder.forward(x).sigmoid();

    /// <summary>Reconstruction logits V h + c, [B, inputDim].</summary>
    public Tensor Decode(Tensor h) => decoder.forward(h);

    /// <summary>Reconstruction logits of x.</summary>
    public override Tensor forward(Tensor x) => Decode(Encode(x));
}
