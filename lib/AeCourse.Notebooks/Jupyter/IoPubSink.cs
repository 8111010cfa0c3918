using System.Text;
using System.Text.Json.Nodes;
using AeCourse.Notebooks.Execution;

namespace AeCourse.Notebooks.Jupyter;

/// <summary>
/// A cell's outputs published on iopub as the front end expects them, each naming the execute_request it belongs to:
/// stream, display_data and update_display_data (with a transient display_id), execute_result and error. Stream text is
/// gathered for <see cref="StreamFlushEvery"/> (a loop printing character by character would otherwise send a message
/// per character), and always sent before any other output so that the order stays what the cell did.
/// </summary>
sealed class IoPubSink : IOutputSink, IDisposable
{
    /// <summary>Longest time printed text waits before it is sent.</summary>
    public static readonly TimeSpan StreamFlushEvery = TimeSpan.FromMilliseconds(50);

    readonly Action<string, JsonObject> _publish;
    readonly Lock _gate = new();
    readonly StringBuilder _pending = new();
    readonly Timer _timer;
    string? _pendingStream;
    bool _closed;

    /// <param name="publish">Sends one iopub message (type, content) in reply to the request.</param>
    public IoPubSink(Action<string, JsonObject> publish)
    {
        _publish = publish;
        _timer = new Timer(_ => Flush(), null, Timeout.Infinite, Timeout.Infinite);
    }

    public void Stream(string name, string text)
    {
        if (text.Length == 0) return;
        lock (_gate)
        {
            if (_closed)
            {
                _publish("stream", new JsonObject { ["name"] = name, ["text"] = text });
                return;
            }
            if (_pendingStream is not null && _pendingStream != name) FlushLocked();
            if (_pending.Length == 0) _timer.Change(StreamFlushEvery, Timeout.InfiniteTimeSpan);
            _pendingStream = name;
            _pending.Append(text);
        }
    }

    public void Display(object? value, JsonObject data, string displayId) =>
        Send("display_data", new JsonObject { ["data"] = data, ["metadata"] = new JsonObject(), ["transient"] = new JsonObject { ["display_id"] = displayId } });

    public void UpdateDisplay(object? value, JsonObject data, string displayId) =>
        Send("update_display_data", new JsonObject { ["data"] = data, ["metadata"] = new JsonObject(), ["transient"] = new JsonObject { ["display_id"] = displayId } });

    public void Result(JsonObject data, int executionCount) =>
        Send("execute_result", new JsonObject { ["execution_count"] = executionCount, ["data"] = data, ["metadata"] = new JsonObject() });

    public void Error(string name, string value, IReadOnlyList<string> traceback) =>
        Send("error", ErrorContent(name, value, traceback));

    /// <summary>ename, evalue and traceback, as both the error message and an execute_reply carry them.</summary>
    public static JsonObject ErrorContent(string name, string value, IReadOnlyList<string> traceback) => new()
    {
        ["ename"] = name, ["evalue"] = value, ["traceback"] = new JsonArray(traceback.Select(t => (JsonNode)JsonValue.Create(t)!).ToArray()),
    };

    /// <summary>Sends the text still waiting.</summary>
    public void Flush()
    {
        lock (_gate) FlushLocked();
    }

    /// <summary>Sends what is waiting; later text (from a thread the cell left running) is sent at once, still naming the cell's request.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            FlushLocked();
            _closed = true;
        }
        _timer.Dispose();
    }

    void Send(string type, JsonObject content)
    {
        lock (_gate)
        {
            FlushLocked();
            _publish(type, content);
        }
    }

    void FlushLocked()
    {
        if (_pending.Length == 0 || _pendingStream is null) return;
        _publish("stream", new JsonObject { ["name"] = _pendingStream, ["text"] = _pending.ToString() });
        _pending.Clear();
        _pendingStream = null;
    }
}
