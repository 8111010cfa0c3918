using AeCourse.Models;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace AeCourse.Training;

/// <summary>What greedy training did to one layer of a <see cref="StackedAutoencoder"/>.</summary>
/// <param name="Layer">The layer k (0 is the one next to the input).</param>
/// <param name="EpochLosses">The mean training loss of each epoch (on corrupted inputs, when there was corruption).</param>
/// <param name="LossBefore">The layer's reconstruction loss on its clean inputs before training.</param>
/// <param name="LossAfter">The same after training.</param>
public sealed record GreedyLayerReport(int Layer, double[] EpochLosses, double LossBefore, double LossAfter);

/// <summary>
/// Greedy layer-wise pretraining of a stacked autoencoder (Bengio et al., 2007; Hinton and Salakhutdinov, 2006, with
/// RBMs in place of autoencoders): layer 0 is trained as a one-hidden-layer autoencoder of x; its encoder is then
/// frozen and the codes h_1 it gives are the data of layer 1, and so on up to the code layer. Only layer k's encoder and
/// decoder are in the optimizer while it trains, and the layers below it only compute its inputs, once, without
/// gradients, so they cannot change. Layer 0 reconstructs pixels in [0, 1] (binary cross-entropy per pixel on logits,
/// as the course's autoencoders do); the layers above reconstruct ReLU codes (mean squared error per unit). With
/// <c>maskingFraction</c> &gt; 0 every layer is a denoising autoencoder (stacked denoising autoencoders, Vincent et al.,
/// 2010): each input unit is set to 0 with that probability, afresh every batch, and the clean input is the target.
/// Afterwards the stack is usually fine-tuned end to end, which this class leaves to the caller.
/// </summary>
public static class GreedyLayerwise
{
    /// <summary>Trains every layer in turn, 0 first; returns one report per layer.</summary>
    /// <param name="model">The stack; its layers are trained in place.</param>
    /// <param name="x">The training inputs [N, w_0], on the model's device.</param>
    /// <param name="epochsPerLayer">Passes over the data for each layer.</param>
    /// <param name="lr">Adam's learning rate.</param>
    /// <param name="batchSize">Examples per batch.</param>
    /// <param name="seed">Seed of the batch order.</param>
    /// <param name="maskingFraction">Share of input units zeroed while training (0: plain autoencoders).</param>
    public static IReadOnlyList<GreedyLayerReport> Pretrain(StackedAutoencoder model, Tensor x, int epochsPerLayer, double lr = 1e-3,
                                                            int batchSize = 128, long seed = 0, double maskingFraction = 0) =>
        Enumerable.Range(0, model.Depth).Select(k => TrainLayer(model, k, x, epochsPerLayer, lr, batchSize, seed + k, maskingFraction)).ToList();

    /// <summary>Trains layer k alone on the codes of the layers below it (frozen); see <see cref="Pretrain"/>.</summary>
    public static GreedyLayerReport TrainLayer(StackedAutoencoder model, int k, Tensor x, int epochs, double lr = 1e-3,
                                               int batchSize = 128, long seed = 0, double maskingFraction = 0)
    {
        if (maskingFraction is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(maskingFraction), maskingFraction, "a probability below 1");
        Tensor inputs;                                                       // h_k [N, w_k]: the data of layer k
        using (NewDisposeScope())                                            // frees the codes of the layers in between
        using (no_grad()) inputs = model.EncodeThrough(x, k).detach().MoveToOuterDisposeScope();
        using var inputsScope = inputs;
        double before = Loss(model, k, inputs);
        using var optimizer = optim.Adam(model.LayerParameters(k), lr);
        var history = new Trainer(model, optimizer, (h, _) =>
        {
            var corrupted = maskingFraction > 0 ? h * rand_like(h).ge(maskingFraction).to(h.dtype) : h;
            return Objective(model, k, model.DecodeLayer(k, model.EncodeLayer(k, corrupted)), h);
        }).Fit(inputs, null, new TrainerOptions { Epochs = epochs, BatchSize = batchSize, Seed = seed, Progress = ProgressStyle.None });
        return new GreedyLayerReport(k, history.Metrics["train_loss"].ToArray(), before, Loss(model, k, inputs));
    }

    /// <summary>Rows a chunk of <see cref="Loss"/>: the loss of layer 0 over 60,000 images at once would make several
    /// hundred MB of codes, logits and per-pixel terms; 10,000 rows make a sixth of that.</summary>
    public const int LossChunkRows = 10_000;

    /// <summary>Layer k's reconstruction loss on clean inputs h [N, w_k], in eval mode without gradients: the mean over
    /// every element, taken <see cref="LossChunkRows"/> rows at a time.</summary>
    public static double Loss(StackedAutoencoder model, int k, Tensor h)
    {
        using var noGrad = no_grad();
        model.eval();
        long n = h.shape[0];
        double sum = 0;
        for (long start = 0; start < n; start += LossChunkRows)
        {
            using var scope = NewDisposeScope();
            var chunk = h.narrow(0, start, Math.Min(LossChunkRows, n - start));
            // Every row has as many elements, so the chunks' means weighted by their rows give the mean of all.
            sum += Objective(model, k, model.DecodeLayer(k, model.EncodeLayer(k, chunk)), chunk).item<float>() * chunk.shape[0];
        }
        return sum / n;
    }

    // Layer 0: BCE per pixel on logits; above: MSE per unit on ReLU codes.
    static Tensor Objective(StackedAutoencoder model, int k, Tensor output, Tensor target) =>
        k == 0 ? binary_cross_entropy_with_logits(output, target) : mse_loss(output, target);
}
