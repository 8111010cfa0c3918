using static TorchSharp.torch;

namespace AeCourse.Visualization;

/// <summary>Points in 2-D coloured by class: a 2-D code, or a code projected by PCA or t-SNE.</summary>
public sealed class ScatterChart : Figure
{
    /// <summary>Points per class name, in class order.</summary>
    public IReadOnlyDictionary<string, int> CountsByClass { get; }

    ScatterChart(string title, string xTitle, string yTitle, IReadOnlyList<ChartTrace> traces, IReadOnlyDictionary<string, int> counts)
        : base(title, xTitle, yTitle, width: 720, height: 560, traces) => CountsByClass = counts;

    /// <summary>One trace per class, so the legend toggles classes.</summary>
    /// <param name="points">[N, 2] coordinates.</param>
    /// <param name="labels">[N] class indices.</param>
    /// <param name="classNames">Name of each class index.</param>
    /// <param name="title">Chart title, e.g. "z of the test images (t-SNE)".</param>
    /// <param name="xTitle">Horizontal axis title.</param>
    /// <param name="yTitle">Vertical axis title.</param>
    public static ScatterChart ByClass(Tensor points, Tensor labels, IReadOnlyList<string> classNames, string title, string xTitle = "z0", string yTitle = "z1")
    {
        if (points.dim() != 2 || points.shape[1] != 2)
            throw new ArgumentException($"points must be [N, 2]; got [{string.Join(", ", points.shape)}]. Project the code to 2-D first (Pca or Tsne).", nameof(points));
        if (labels.shape is not [var n] || n != points.shape[0])
            throw new ArgumentException($"labels must be [N] with N = {points.shape[0]}; got [{string.Join(", ", labels.shape)}].", nameof(labels));
        using var scope = NewDisposeScope();
        var xy = points.detach().to(ScalarType.Float64).cpu().data<double>().ToArray();
        var y = labels.to(ScalarType.Int64).cpu().data<long>().ToArray();
        if (y.FirstOrDefault(l => l < 0 || l >= classNames.Count, -1) is var bad && bad >= 0)
            throw new ArgumentOutOfRangeException(nameof(labels), bad, $"label {bad} has no name among the {classNames.Count} classes");
        var traces = new List<ChartTrace>();
        var counts = new Dictionary<string, int>();
        for (int c = 0; c < classNames.Count; c++)
        {
            var members = Enumerable.Range(0, y.Length).Where(i => y[i] == c).ToArray();
            counts[classNames[c]] = members.Length;
            if (members.Length == 0) continue;   // no legend entry for a class without points
            traces.Add(new ChartTrace(classNames[c], members.Select(i => xy[2 * i]).ToArray(), members.Select(i => xy[2 * i + 1]).ToArray(), TraceKind.Markers));
        }
        return new ScatterChart(title, xTitle, yTitle, traces, counts);
    }

    /// <inheritdoc />
    public override string ToString() => $"scatter of {CountsByClass.Values.Sum()} points in {CountsByClass.Count(c => c.Value > 0)} classes";
}
