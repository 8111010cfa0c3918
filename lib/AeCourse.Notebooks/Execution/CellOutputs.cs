using System.Text;
using System.Text.Json.Nodes;

namespace AeCourse.Notebooks.Execution;

/// <summary>
/// A cell's outputs as a notebook file stores them: stream text (consecutive writes merged), display_data (updated in
/// place, the file keeping the last state), execute_result and error. Thread-safe: code in a cell may print from other threads.
/// </summary>
/// <remarks>
/// Stream text is stored as nbformat's list of lines, and a write costs what it writes, not what was written before:
/// finished lines are added to the list as they come, and the line still open (no "\n" yet) is kept apart and put in
/// the list when it ends, when another output comes, and at <see cref="Flush"/> (the engine's end of the cell). After
/// that, text that a thread the cell left running writes goes into the list at once.
/// </remarks>
public sealed class CellOutputs : IOutputSink
{
    readonly JsonArray _outputs;
    readonly Lock _gate = new();
    readonly Action<object?> _displayed;
    readonly Dictionary<string, JsonObject> _displays = new(StringComparer.Ordinal);
    readonly StringBuilder _openLine = new();
    JsonObject? _stream;            // the stream output being written to, the last of _outputs; null when another came after it
    bool _openLineListed;           // the last line of _stream's text is (a copy of) the open line
    bool _flushed;

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
            var lines = Continue(name) ?? Start(name);
            int start = 0;
            for (int newline; (newline = text.IndexOf('\n', start)) >= 0; start = newline + 1)
                EndLine(lines, text.AsSpan(start, newline + 1 - start));
            _openLine.Append(text.AsSpan(start));
            if (_flushed) ListOpenLine();
        }
    }

    /// <summary>Makes the line still open part of the outputs; later text from the cell's threads is listed as it comes.</summary>
    public void Flush()
    {
        lock (_gate)
        {
            ListOpenLine();
            _flushed = true;
        }
    }

    /// <summary>The lines of the stream output that <paramref name="name"/>'s text goes on, when it is the last output.</summary>
    JsonArray? Continue(string name)
    {
        if (_stream is not null && _stream["name"]!.GetValue<string>() == name) return (JsonArray)_stream["text"]!;
        if (_stream is not null || _outputs.Count == 0 || _outputs[^1] is not JsonObject last
            || last["output_type"]?.GetValue<string>() != "stream" || last["name"]?.GetValue<string>() != name || last["text"] is not JsonArray lines)
            return null;
        // A stream output the array came with (a caller's own): text goes on after it, its unfinished last line included.
        _stream = last;
        if (lines.Count > 0 && lines[^1]!.GetValue<string>() is var tail && !tail.EndsWith('\n'))
        {
            _openLine.Append(tail);
            _openLineListed = true;
        }
        return lines;
    }

    /// <summary>A new stream output for <paramref name="name"/>, after the current one (its open line listed first).</summary>
    JsonArray Start(string name)
    {
        EndStream();
        var lines = new JsonArray();
        _stream = new JsonObject { ["name"] = name, ["output_type"] = "stream", ["text"] = lines };
        _outputs.Add(_stream);
        return lines;
    }

    /// <summary>The open line ends with <paramref name="rest"/> (which ends with "\n") and is listed.</summary>
    void EndLine(JsonArray lines, ReadOnlySpan<char> rest)
    {
        var line = _openLine.Length == 0 ? rest.ToString() : _openLine.Append(rest).ToString();
        if (_openLineListed) lines[^1] = line;
        else lines.Add(line);
        _openLine.Clear();
        _openLineListed = false;
    }

    /// <summary>Puts the open line, as far as it goes, last in the current stream's lines.</summary>
    void ListOpenLine()
    {
        if (_stream is null || _openLine.Length == 0) return;
        var lines = (JsonArray)_stream["text"]!;
        if (_openLineListed) lines[^1] = _openLine.ToString();
        else lines.Add(_openLine.ToString());
        _openLineListed = true;
    }

    /// <summary>Another output comes: the current stream output is complete.</summary>
    void EndStream()
    {
        ListOpenLine();
        _stream = null;
        _openLine.Clear();
        _openLineListed = false;
    }

    /// <inheritdoc />
    public void Display(object? value, JsonObject data, string displayId)
    {
        var output = new JsonObject { ["data"] = data, ["metadata"] = new JsonObject(), ["output_type"] = "display_data" };
        lock (_gate)
        {
            EndStream();
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
        lock (_gate) Add(output);
    }

    /// <inheritdoc />
    public void Error(string name, string value, IReadOnlyList<string> traceback)
    {
        var output = new JsonObject
        {
            ["ename"] = name, ["evalue"] = value, ["output_type"] = "error",
            ["traceback"] = new JsonArray(traceback.Select(t => (JsonNode)JsonValue.Create(t)!).ToArray()),
        };
        lock (_gate) Add(output);
    }

    void Add(JsonObject output)
    {
        EndStream();
        _outputs.Add(output);
    }

    // The listener prints to the process's console; from the cell's thread that would land in the cell's own stderr.
    void Told(object? value) => CellContext.Outside(() => _displayed(value));
}
