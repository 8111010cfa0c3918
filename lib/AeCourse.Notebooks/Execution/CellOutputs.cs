using System.Text.Json.Nodes;

namespace AeCourse.Notebooks.Execution;

/// <summary>
/// A cell's outputs as a notebook file stores them: stream text (consecutive writes merged), display_data (updated in
/// place, the file keeping the last state), execute_result and error. Thread-safe: code in a cell may print from other threads.
/// </summary>
public sealed class CellOutputs : IOutputSink
{
    readonly JsonArray _outputs;
    readonly Lock _gate = new();
    readonly Action<object?> _displayed;
    readonly Dictionary<string, JsonObject> _displays = new(StringComparer.Ordinal);

    /// <param name="outputs">The cell's outputs array, filled in place.</param>
    /// <param name="displayed">Told of every value displayed or updated (a console front end mirrors progress).</param>
    public CellOutputs(JsonArray outputs, Action<object?>? displayed = null)
    {
        _outputs = outputs;
        _displayed = displayed ?? (_ => { });
    }

    /// <inheritdoc />
    public void Stream(string name, string text)
    {
        if (text.Length == 0) return;
        lock (_gate)
        {
            if (_outputs.Count > 0 && _outputs[^1] is JsonObject last && last["output_type"]?.GetValue<string>() == "stream"
                && last["name"]?.GetValue<string>() == name && last["text"] is JsonArray lines)
            {
                var merged = string.Concat(lines.Select(l => l!.GetValue<string>())) + text;
                last["text"] = Format.NotebookCell.Lines(merged);
                return;
            }
            _outputs.Add(new JsonObject { ["name"] = name, ["output_type"] = "stream", ["text"] = Format.NotebookCell.Lines(text) });
        }
    }

    /// <inheritdoc />
    public void Display(object? value, JsonObject data, string displayId)
    {
        var output = new JsonObject { ["data"] = data, ["metadata"] = new JsonObject(), ["output_type"] = "display_data" };
        lock (_gate)
        {
            _outputs.Add(output);
            _displays[displayId] = output;
        }
        Told(value);
    }

    /// <inheritdoc />
    public void UpdateDisplay(object? value, JsonObject data, string displayId)
    {
        lock (_gate)
        {
            if (!_displays.TryGetValue(displayId, out var output)) return;   // not this cell's display: nothing to update in this file
            output["data"] = data;
        }
        Told(value);
    }

    /// <inheritdoc />
    public void Result(JsonObject data, int executionCount)
    {
        var output = new JsonObject
        {
            ["data"] = data, ["execution_count"] = executionCount, ["metadata"] = new JsonObject(), ["output_type"] = "execute_result",
        };
        lock (_gate) _outputs.Add(output);
    }

    /// <inheritdoc />
    public void Error(string name, string value, IReadOnlyList<string> traceback)
    {
        var output = new JsonObject
        {
            ["ename"] = name, ["evalue"] = value, ["output_type"] = "error",
            ["traceback"] = new JsonArray(traceback.Select(t => (JsonNode)JsonValue.Create(t)!).ToArray()),
        };
        lock (_gate) _outputs.Add(output);
    }

    // The listener prints to the process's console; from the cell's thread that would land in the cell's own stderr.
    void Told(object? value) => CellContext.Outside(() => _displayed(value));
}
