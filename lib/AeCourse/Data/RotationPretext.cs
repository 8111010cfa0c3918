using static TorchSharp.torch;

namespace AeCourse.Data;

/// <summary>
/// The rotation pretext task (Gidaris et al., 2018): turn each unlabelled image by k quarter turns and ask a network
/// which k it was. The label is free — made from the image itself — and to answer, the network must know which way
/// up a shoe or a shirt stands. Turns are counter-clockwise as the image is shown (row 0 at the top), the direction
/// of numpy.rot90 on the last two axes: one turn moves the top-right corner to the top-left.
/// </summary>
public static class RotationPretext
{
    /// <summary>Number of distinct rotations, and so of pretext classes: 0°, 90°, 180°, 270°.</summary>
    public const int Rotations = 4;

    /// <summary>
    /// Images turned by <paramref name="k"/> quarter turns counter-clockwise, in the plane of the last two dimensions;
    /// any integer k (negative turns clockwise; k and k + 4 are the same turn). Non-square images swap height and width
    /// for odd k.
    /// </summary>
    /// <param name="x">Images [..., H, W].</param>
    /// <param name="k">Quarter turns.</param>
    /// <returns>[..., W, H] for odd k, [..., H, W] for even k.</returns>
    public static Tensor Rotate(Tensor x, int k)
    {
        if (x.dim() < 2) throw new ArgumentException($"an image needs two dimensions; got shape [{string.Join(", ", x.shape)}]", nameof(x));
        return rot90(x, ((k % Rotations) + Rotations) % Rotations, (x.dim() - 2, x.dim() - 1));
    }

    /// <summary>
    /// A pretext batch: every image of <paramref name="x"/> in all four rotations, the rotation's number as its label.
    /// Rows are rotation-major: first all B images unturned (label 0), then all turned once (label 1), and so on.
    /// Square images only, so that the four rotations stack into one batch.
    /// </summary>
    /// <param name="x">Images [B, C, H, H].</param>
    /// <returns>X [4B, C, H, H] and K [4B] (int64, 0..3), on x's device.</returns>
    public static (Tensor X, Tensor K) Batch(Tensor x)
    {
        if (x.dim() < 2 || x.shape[^1] != x.shape[^2])
            throw new ArgumentException($"the four rotations stack only for square images; got shape [{string.Join(", ", x.shape)}]", nameof(x));
        using var scope = NewDisposeScope();
        var turned = cat(Enumerable.Range(0, Rotations).Select(k => Rotate(x, k)).ToArray(), 0);   // [4B, C, H, H]
        var labels = arange(Rotations, ScalarType.Int64, device: x.device).repeat_interleave(x.shape[0]);   // [4B]: 0…0 1…1 2…2 3…3
        return (turned.MoveToOuterDisposeScope(), labels.MoveToOuterDisposeScope());
    }
}
