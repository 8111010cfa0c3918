using System.Text.Json.Nodes;
using AeCourse.Notebooks.Execution;

namespace AeCourse.Tests.Execution;

/// <summary>Keeps every output a cell sends, in order, as a front end would receive them.</summary>
sealed class RecordingSink : IOutputSink
{
    readonly Lock _gate = new();
    readonly List<(string Kind, string Text, object? Value)> _events = [];

    public IReadOnlyList<(string Kind, string Text, object? Value)> Events
    {
        get { lock (_gate) return _events.ToList(); }
    }

    /// <summary>All stdout (or stderr) text so far.</summary>
    public string Text(string stream) => string.Concat(Events.Where(e => e.Kind == stream).Select(e => e.Text));

    /// <summary>Raised after each output is recorded.</summary>
    public event Action<(string Kind, string Text, object? Value)>? Recorded;

    void Add(string kind, string text, object? value = null)
    {
        lock (_gate) _events.Add((kind, text, value));
        Recorded?.Invoke((kind, text, value));
    }

    public void Stream(string name, string text) => Add(name, text);
    public void Display(object? value, JsonObject data, string displayId) => Add("display", displayId + " " + data.ToJsonString(), value);
    public void UpdateDisplay(object? value, JsonObject data, string displayId) => Add("update", displayId + " " + data.ToJsonString(), value);
    public void Result(JsonObject data, int executionCount) => Add("result", data["text/plain"]?.GetValue<string>() ?? "");
    public void Error(string name, string value, IReadOnlyList<string> traceback) => Add("error", name + "\n" + string.Join("\n", traceback));
}
