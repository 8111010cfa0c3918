using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using static TorchSharp.torch.nn.functional;

namespace AeCourse.Models;

/// <summary>
/// A deep autoencoder built as a stack of one-hidden-layer autoencoders, for greedy layer-wise pretraining
/// (Hinton and Salakhutdinov, 2006; Bengio et al., 2007). With widths w_0 (the input), w_1, …, w_L (the code), layer k
/// is an encoder w_k → w_{k+1} and a mirrored decoder w_{k+1} → w_k. The stacked encoder applies layers 0 … L−1 in turn,
/// the decoder layers L−1 … 0. Activations follow <see cref="DenseAutoencoder"/>: ReLU after every encoder layer but the
/// last (the code is linear), ReLU after every decoder layer but layer 0's, which returns the logits of the
/// reconstruction of x. So with widths [784, 256, 32] it is exactly a <c>DenseAutoencoder(784, [256], 32)</c>, and layer
/// k on its own is the one-hidden-layer autoencoder h_k → h_{k+1} → ĥ_k that greedy training fits to the codes h_k of
/// the layers below.
/// </summary>
public sealed class StackedAutoencoder : Module<Tensor, Tensor>
{
    readonly ModuleList<Linear> encoders;
    readonly ModuleList<Linear> decoders;

    /// <summary>The widths, input first, code last: e.g. [784, 256, 128, 32].</summary>
    public IReadOnlyList<int> Widths { get; }

    /// <summary>Number of layers L (encoder–decoder pairs): <c>Widths.Count − 1</c>.</summary>
    public int Depth => Widths.Count - 1;

    /// <summary>Size of the code, the last width.</summary>
    public int LatentDim => Widths[^1];

    /// <param name="widths">Input width, hidden widths, code width: at least two numbers, all positive.</param>
    public StackedAutoencoder(params int[] widths) : base(nameof(StackedAutoencoder))
    {
        if (widths.Length < 2 || widths.Any(w => w < 1)) throw new ArgumentException("give the input width, then at least the code width, all positive", nameof(widths));
        Widths = widths.ToArray();
        encoders = new ModuleList<Linear>(Enumerable.Range(0, Depth).Select(k => Linear(widths[k], widths[k + 1])).ToArray());
        decoders = new ModuleList<Linear>(Enumerable.Range(0, Depth).Select(k => Linear(widths[k + 1], widths[k])).ToArray());
        RegisterComponents();
    }

    /// <summary>Layer k's encoder (w_k → w_{k+1}) and decoder (w_{k+1} → w_k), shared with the stack, not copies.</summary>
    public (Linear Encoder, Linear Decoder) Layer(int k) => (encoders[Checked(k)], decoders[k]);

    /// <summary>The parameters of layer k alone: its encoder's and its decoder's weights and biases.</summary>
    public IEnumerable<Parameter> LayerParameters(int k) => Layer(k).Encoder.parameters().Concat(Layer(k).Decoder.parameters());

    /// <summary>Layer k's encoder: h_k [B, w_k] → h_{k+1} [B, w_{k+1}], ReLU unless it is the code layer.</summary>
    public Tensor EncodeLayer(int k, Tensor h)
    {
        var a = encoders[Checked(k)].forward(h);
        return k < Depth - 1 ? relu(a) : a;
    }

    /// <summary>Layer k's decoder: h_{k+1} [B, w_{k+1}] → ĥ_k [B, w_k]; ReLU for k &gt; 0, logits of x for k = 0.</summary>
    public Tensor DecodeLayer(int k, Tensor h)
    {
        var a = decoders[Checked(k)].forward(h);
        return k > 0 ? relu(a) : a;
    }

    /// <summary>The codes after the first <paramref name="layers"/> encoder layers: x [B, w_0] → h [B, w_layers]; 0 gives x.</summary>
    public Tensor EncodeThrough(Tensor x, int layers)
    {
        if (layers < 0 || layers > Depth) throw new ArgumentOutOfRangeException(nameof(layers), layers, $"between 0 and {Depth}");
        var h = x;
        for (int k = 0; k < layers; k++) h = EncodeLayer(k, h);
        return h;
    }

    /// <summary>The code z of a batch x: [B, w_0] → [B, w_L].</summary>
    public Tensor Encode(Tensor x) => EncodeThrough(x, Depth);

    /// <summary>Logits of the reconstruction of a code: [B, w_L] → [B, w_0].</summary>
    public Tensor Decode(Tensor z)
    {
        var h = z;
        for (int k = Depth - 1; k >= 0; k--) h = DecodeLayer(k, h);
        return h;
    }

    /// <summary>Reconstruction logits of x.</summary>
    public override Tensor forward(Tensor x) => Decode(Encode(x));

    int Checked(int k) => k >= 0 && k < Depth ? k : throw new ArgumentOutOfRangeException(nameof(k), k, $"layers are 0 to {Depth - 1}");
}
