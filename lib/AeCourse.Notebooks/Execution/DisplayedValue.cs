namespace AeCourse.Notebooks.Execution;

/// <summary>A value shown in a cell's outputs; <see cref="Update"/> replaces it in place (progress, live charts).</summary>
public sealed class DisplayedValue
{
    readonly IOutputSink? _sink;

    internal DisplayedValue(IOutputSink sink, string displayId)
    {
        _sink = sink;
        DisplayId = displayId;
    }

    DisplayedValue() => DisplayId = "";

    /// <summary>A display the cell's output limit dropped (<see cref="OutputLimits.MaxDisplays"/>): its updates do nothing.</summary>
    internal static DisplayedValue Dropped { get; } = new();

    /// <summary>The display's id: Jupyter's transient display_id, which update_display_data names; empty for a dropped display.</summary>
    public string DisplayId { get; }

    /// <summary>Shows <paramref name="value"/> instead of what was displayed; the notebook keeps the last state.</summary>
    public void Update(object? value)
    {
        // A dropped display is not formatted either: a loop updating it costs nothing.
        _sink?.UpdateDisplay(value, MimeBundle.Of(value), DisplayId);
    }
}
