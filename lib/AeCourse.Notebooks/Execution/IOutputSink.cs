using System.Text.Json.Nodes;

namespace AeCourse.Notebooks.Execution;

/// <summary>
/// Where a running cell's outputs go, in Jupyter's message shapes: a notebook file (<see cref="CellOutputs"/>) or a
/// front end's iopub channel (the kit's Jupyter kernel). Called from the cell's threads: implementations are thread-safe.
/// </summary>
public interface IOutputSink
{
    /// <summary>Text written to the cell's stdout or stderr (<paramref name="name"/> is "stdout" or "stderr").</summary>
    void Stream(string name, string text);

    /// <summary>A value shown with <c>display(x)</c> or <c>x.Display()</c>: its MIME bundle under a display id of its own.</summary>
    /// <param name="value">The value itself, for front ends that read it (a console mirrors the trainer's progress).</param>
    /// <param name="data">Its MIME bundle: MIME type → content (base64 for images).</param>
    /// <param name="displayId">Names the display for later updates.</param>
    void Display(object? value, JsonObject data, string displayId);

    /// <summary>The display <paramref name="displayId"/> shows <paramref name="data"/> instead, in place.</summary>
    void UpdateDisplay(object? value, JsonObject data, string displayId);

    /// <summary>The cell's trailing expression.</summary>
    void Result(JsonObject data, int executionCount);

    /// <summary>The cell failed: Jupyter's ename, evalue and the traceback lines a front end shows.</summary>
    void Error(string name, string value, IReadOnlyList<string> traceback);

    /// <summary>
    /// Makes everything written so far visible to whoever reads the outputs. The engine calls it when a cell's run
    /// ends, after the cell's last output; a sink that writes each output through at once needs nothing here.
    /// </summary>
    void Flush() { }
}
