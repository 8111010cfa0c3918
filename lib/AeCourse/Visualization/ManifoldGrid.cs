using static TorchSharp.torch;

namespace AeCourse.Visualization;

/// <summary>
/// The decoder's picture of a 2-D slice of the latent space: codes on a grid whose coordinates are quantiles of the
/// standard normal (the prior), so every cell covers the same prior mass and the edges are not over-stretched.
/// </summary>
public static class ManifoldGrid
{
    /// <summary>
    /// Codes [steps², latentDim]: dimensions <paramref name="dimX"/> and <paramref name="dimY"/> run through the
    /// normal quantiles Φ⁻¹(p) for p evenly spaced in [edge, 1 − edge]; the others are 0 (the prior's mean). Row-major,
    /// top row first, so the grid reads like a plot with dimY growing upwards.
    /// </summary>
    public static Tensor Codes(int latentDim, int steps = 15, int dimX = 0, int dimY = 1, double edge = 0.05)
    {
        if (steps < 2) throw new ArgumentOutOfRangeException(nameof(steps), steps, "the grid needs at least 2 steps per side");
        if (edge is <= 0 or >= 0.5) throw new ArgumentOutOfRangeException(nameof(edge), edge, "edge is a probability in (0, 0.5): Φ⁻¹(0) is −∞");
        if (dimX == dimY || dimX < 0 || dimY < 0 || dimX >= latentDim || dimY >= latentDim)
            throw new ArgumentOutOfRangeException(nameof(dimX), $"dimX ({dimX}) and dimY ({dimY}) must be two different dimensions below latentDim ({latentDim})");
        using var scope = NewDisposeScope();
        var quantiles = special.ndtri(linspace(edge, 1 - edge, steps, dtype: ScalarType.Float32));   // [steps]
        var z = zeros(steps * steps, latentDim);
        var rowOf = arange(steps * steps).div(steps, rounding_mode: RoundingMode.floor);
        var columnOf = arange(steps * steps).remainder(steps);
        z[TensorIndex.Colon, dimX] = quantiles.index_select(0, columnOf);
        z[TensorIndex.Colon, dimY] = quantiles.flip(0).index_select(0, rowOf);   // top row: largest dimY
        return z.MoveToOuterDisposeScope();
    }

    /// <summary>The decoded grid as a picture.</summary>
    /// <param name="decode">z [N, latentDim] → images in [0, 1], e.g. <c>z => vae.Decode(z).sigmoid()</c>.</param>
    /// <param name="latentDim">Size of z.</param>
    /// <param name="steps">Images per side.</param>
    /// <param name="dimX">Latent dimension along the horizontal axis.</param>
    /// <param name="dimY">Latent dimension along the vertical axis.</param>
    /// <param name="device">Where decode runs (default: the kit's device).</param>
    public static Picture Show(Func<Tensor, Tensor> decode, int latentDim, int steps = 15, int dimX = 0, int dimY = 1, Device? device = null)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var images = decode(Codes(latentDim, steps, dimX, dimY).to(device ?? Runtime.Setup.Device));
        return ImageGrid.Show(images, columns: steps, scale: 1, padding: 0,
            caption: $"decoder over z{dimX} × z{dimY}, normal quantiles 5%..95%");
    }
}
