using System.Text;
using System.Text.Json.Nodes;

namespace AeCourse.Notebooks.Execution;

/// <summary>
/// The outputs of the running cell, in nbformat's shapes: stream text (consecutive writes merged), display_data,
/// execute_result and error. Thread-safe: code in a cell may print from other threads.
/// </summary>
public sealed class CellOutputs
{
    readonly JsonArray _outputs;
    readonly Lock _gate = new();
    readonly Action<object?> _displayed;

    /// <summary>The cell being run, for <c>x.Display()</c>; null between cells.</summary>
    public static CellOutputs? Running { get; internal set; }

    /// <param name="outputs">The cell's outputs array, filled in place.</param>
    /// <param name="displayed">Told of every value displayed or updated (a console front end mirrors progress).</param>
    internal CellOutputs(JsonArray outputs, Action<object?>? displayed = null)
    {
        _outputs = outputs;
        _displayed = displayed ?? (_ => { });
    }

    /// <summary>Appends text to the stdout or stderr stream output, merging with the previous one of the same stream.</summary>
    public void Write(string stream, string text)
    {
        if (text.Length == 0) return;
        lock (_gate)
        {
            if (_outputs.Count > 0 && _outputs[^1] is JsonObject last && last["output_type"]?.GetValue<string>() == "stream"
                && last["name"]?.GetValue<string>() == stream && last["text"] is JsonArray lines)
            {
                var merged = string.Concat(lines.Select(l => l!.GetValue<string>())) + text;
                last["text"] = Format.NotebookCell.Lines(merged);
                return;
            }
            _outputs.Add(new JsonObject { ["name"] = stream, ["output_type"] = "stream", ["text"] = Format.NotebookCell.Lines(text) });
        }
    }

    /// <summary>Adds a display_data output for <paramref name="value"/>.</summary>
    public DisplayedValue Display(object? value)
    {
        var output = new JsonObject { ["data"] = MimeBundle.Of(value), ["metadata"] = new JsonObject(), ["output_type"] = "display_data" };
        lock (_gate) _outputs.Add(output);
        _displayed(value);
        return new DisplayedValue(output, _gate, _displayed);
    }

    /// <summary>Adds the execute_result of a cell's trailing expression.</summary>
    public void Result(object? value, int executionCount)
    {
        var output = new JsonObject
        {
            ["data"] = MimeBundle.Of(value), ["execution_count"] = executionCount, ["metadata"] = new JsonObject(), ["output_type"] = "execute_result",
        };
        lock (_gate) _outputs.Add(output);
    }

    /// <summary>Adds an error output.</summary>
    public void Error(string name, string message, IEnumerable<string> traceback)
    {
        var output = new JsonObject
        {
            ["ename"] = name, ["evalue"] = message, ["output_type"] = "error",
            ["traceback"] = new JsonArray(traceback.Select(t => (JsonNode)JsonValue.Create(t)!).ToArray()),
        };
        lock (_gate) _outputs.Add(output);
    }

    /// <summary>A TextWriter that feeds one of the streams, for Console.SetOut / SetError.</summary>
    internal TextWriter StreamWriter(string stream) => new StreamCapture(this, stream);

    sealed class StreamCapture(CellOutputs outputs, string stream) : TextWriter
    {
        public override Encoding Encoding => Encoding.UTF8;
        public override void Write(char value) => outputs.Write(stream, value.ToString());
        public override void Write(string? value) => outputs.Write(stream, value ?? "");
        public override void Write(char[] buffer, int index, int count) => outputs.Write(stream, new string(buffer, index, count));
        public override void WriteLine(string? value) => outputs.Write(stream, (value ?? "") + "\n");
    }
}
