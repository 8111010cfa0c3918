using System.Text.Json.Nodes;

namespace AeCourse.Notebooks.Execution;

/// <summary>A value shown in a cell's outputs; <see cref="Update"/> replaces it in place (progress, live charts).</summary>
public sealed class DisplayedValue
{
    readonly JsonObject _output;
    readonly Lock _gate;
    readonly Action<object?> _displayed;

    internal DisplayedValue(JsonObject output, Lock gate, Action<object?> displayed)
    {
        _output = output;
        _gate = gate;
        _displayed = displayed;
    }

    /// <summary>Shows <paramref name="value"/> instead of what was displayed; the notebook keeps the last state.</summary>
    public void Update(object? value)
    {
        var data = MimeBundle.Of(value);
        lock (_gate) _output["data"] = data;
        _displayed(value);
    }
}
