namespace AeCourse.Visualization;

/// <summary>How a <see cref="ChartTrace"/> is drawn.</summary>
public enum TraceKind
{
    /// <summary>Points joined by a line, each marked with a dot (loss curves).</summary>
    LinesAndMarkers,

    /// <summary>Points joined by a line, without dots (guide lines).</summary>
    Lines,

    /// <summary>Dots only (a latent scatter).</summary>
    Markers,

    /// <summary>A bar from zero up (or down) to each value, one per category.</summary>
    Bars,
}

/// <summary>
/// One series of a <see cref="Figure"/>, as neutral data: both the PNG painter and the plotly.js JSON are made from
/// it, so the picture and the interactive chart show the same thing.
/// </summary>
/// <param name="Name">Legend entry; empty for none.</param>
/// <param name="X">Horizontal positions; for <see cref="TraceKind.Bars"/> the index of each bar's category in
/// <see cref="Figure.Categories"/>.</param>
/// <param name="Y">Values, one per position. Non-finite ones (NaN, ∞) are gaps: not drawn, null in the JSON.</param>
/// <param name="Kind">How the trace is drawn.</param>
/// <param name="Text">A label written at the top right of each point, or null for none.</param>
/// <param name="Dashed">Whether the line is dashed.</param>
public sealed record ChartTrace(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y, TraceKind Kind,
    IReadOnlyList<string>? Text = null, bool Dashed = false)
{
    /// <summary>Values, one per position.</summary>
    public IReadOnlyList<double> Y { get; init; } = Y.Count == X.Count
        ? Y
        : throw new ArgumentException($"trace '{Name}' has {X.Count} positions but {Y.Count} values", nameof(Y));

    /// <summary>A label per point, or null for none.</summary>
    public IReadOnlyList<string>? Text { get; init; } = Text is null || Text.Count == X.Count
        ? Text
        : throw new ArgumentException($"trace '{Name}' has {X.Count} points but {Text.Count} labels", nameof(Text));

    /// <summary>The points with both coordinates finite, with their index in the trace.</summary>
    internal IEnumerable<(int Index, double X, double Y)> FinitePoints()
    {
        for (int i = 0; i < X.Count; i++)
            if (double.IsFinite(X[i]) && double.IsFinite(Y[i]))
                yield return (i, X[i], Y[i]);
    }
}
