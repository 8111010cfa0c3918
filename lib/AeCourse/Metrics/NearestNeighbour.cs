using static TorchSharp.torch;

namespace AeCourse.Metrics;

/// <summary>How well a map keeps classes together: the class agreement of every point with its nearest neighbour.</summary>
public static class NearestNeighbour
{
    /// <summary>
    /// Leave-one-out 1-nearest-neighbour accuracy: the fraction of points whose nearest other point (Euclidean) has the
    /// same label. 1 when classes form separate clusters; about the largest class's share when the map ignores them.
    /// </summary>
    /// <param name="points">[N, D], e.g. a 2-D map of codes (N up to a few thousand: the distances are N × N).</param>
    /// <param name="labels">[N] class indices.</param>
    public static double LeaveOneOutAccuracy(Tensor points, Tensor labels)
    {
        if (points.dim() != 2 || labels.shape is not [var n] || n != points.shape[0])
            throw new ArgumentException($"points must be [N, D] and labels [N]; got [{string.Join(", ", points.shape)}] and [{string.Join(", ", labels.shape)}].");
        if (n < 2) throw new ArgumentException("leave-one-out needs at least two points", nameof(points));
        using var scope = NewDisposeScope();
        var x = points.detach().to(ScalarType.Float64);
        var distances = cdist(x, x).masked_fill(eye(n, dtype: ScalarType.Bool, device: x.device), double.PositiveInfinity);   // a point is not its own neighbour
        var nearest = distances.argmin(1);
        return labels.index_select(0, nearest).eq(labels).to(ScalarType.Float64).mean().item<double>();
    }
}
