using AeCourse.Data;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace AeCourse.Training;

/// <summary>
/// One epoch of training and one evaluation pass for an autoencoder that maps flat images x [B, 784] to
/// reconstruction logits [B, 784]. Loss: binary cross-entropy per pixel (mean over pixels and batch), in nats.
/// </summary>
public static class ReconstructionSteps
{
    /// <summary>Trains one epoch; returns the mean training loss per pixel (nats).</summary>
    public static double TrainEpoch(nn.Module<Tensor, Tensor> model, optim.Optimizer optimizer, BatchIterator batches)
    {
        model.train();
        double total = 0;
        long seen = 0;
        int batch = 0;
        foreach (var (x, _) in batches)
        {
            total += TrainStep(model, optimizer, x) * x.shape[0];
            seen += x.shape[0];
            batch++;
            Runtime.Interrupts.ThrowIfRequested(() => $"batch {batch} of {batches.BatchesPerEpoch}; the model keeps the weights trained so far");
        }
        return total / seen;
    }

    /// <summary>One gradient step on a batch x (any shape with the batch first); returns its loss per pixel (nats).</summary>
    public static float TrainStep(nn.Module<Tensor, Tensor> model, optim.Optimizer optimizer, Tensor x)
    {
        using var scope = NewDisposeScope();
        var xFlat = x.view(x.shape[0], -1);                                // [B, 784]
        var loss = binary_cross_entropy_with_logits(model.forward(xFlat), xFlat);
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
        return loss.item<float>();
    }

    /// <summary>Mean squared error per pixel between x and xHat = sigmoid(logits), over a whole split.</summary>
    public static double MsePerPixel(nn.Module<Tensor, Tensor> model, Tensor x, int batchSize = 1000)
    {
        model.eval();
        using var noGrad = no_grad();
        double total = 0;
        using var batches = new BatchIterator(x, null, batchSize, shuffle: false);
        foreach (var (batch, _) in batches)
        {
            using var scope = NewDisposeScope();
            var xFlat = batch.view(batch.shape[0], -1);
            var xHat = model.forward(xFlat).sigmoid();
            total += mse_loss(xHat, xFlat, nn.Reduction.Sum).item<float>();
        }
        return total / x.numel();
    }
}
