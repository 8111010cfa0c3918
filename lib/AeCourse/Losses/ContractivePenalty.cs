using static TorchSharp.torch;

namespace AeCourse.Losses;

/// <summary>
/// The contractive autoencoder's penalty: the squared Frobenius norm of the encoder's Jacobian, ‖∂h/∂x‖²_F, per example,
/// averaged over the batch. Small values mean the code barely moves when the input moves.
/// </summary>
public static class ContractivePenalty
{
    /// <summary>
    /// For any encoder, by automatic differentiation: one backward pass per code unit (examples are independent, so the
    /// gradient of Σ_b h_bj with respect to x holds every example's row j of its Jacobian). Differentiable (create_graph).
    /// </summary>
    /// <param name="encoder">x [B, inputs] → h [B, units].</param>
    /// <param name="x">A batch; it must not require a gradient already.</param>
    public static Tensor Autograd(Func<Tensor, Tensor> encoder, Tensor x)
    {
        var input = x.detach().requires_grad_(true);
        var h = encoder(input);
        var total = zeros([], dtype: x.dtype, device: x.device);
        for (long j = 0; j < h.shape[1]; j++)
        {
            // TorchSharp does not let create_graph imply retain_graph (PyTorch does): the graph of h serves every unit.
            var row = autograd.grad([h[TensorIndex.Colon, j].sum()], [input], retain_graph: true, create_graph: true)[0];   // [B, inputs]
            total = total + row.pow(2).sum();
        }
        return total / x.shape[0];
    }

    /// <summary>
    /// For one sigmoid layer h = σ(W x + b), in closed form: ∂h_j/∂x_i = h_j (1 − h_j) W_ji, so
    /// ‖J‖²_F = Σ_j (h_j (1 − h_j))² Σ_i W_ji². Averaged over the batch.
    /// </summary>
    /// <param name="h">The layer's output, [B, units].</param>
    /// <param name="weight">W, [units, inputs].</param>
    public static Tensor SigmoidLayer(Tensor h, Tensor weight) =>
        (h * (1 - h)).pow(2).matmul(weight.pow(2).sum(1)).mean();
}
