using System.Globalization;
using System.Text.Json.Nodes;

namespace AeCourse.Notebooks.Execution;

/// <summary>
/// The sink a running cell writes to (<see cref="CellContext.Sink"/>): it passes outputs on to the front end's sink
/// until the cell reaches its <see cref="OutputLimits"/>, then only counts what it drops; <see cref="End"/> writes the
/// one note saying how much. Past a limit a write costs one or two interlocked additions, whatever its length and
/// whichever thread makes it, so a runaway loop prints at the speed of a counter.
/// </summary>
sealed class LimitedSink(IOutputSink inner, OutputLimits limits) : IOutputSink
{
    long _offeredCharacters;
    long _shownCharacters;
    long _droppedCharacters;
    long _offeredDisplays;
    int _ended;

    /// <inheritdoc />
    public void Stream(string name, string text)
    {
        if (text.Length == 0) return;
        // Reserving the characters first gives concurrent writers disjoint places below or above the limit, without a lock.
        long room = limits.MaxStreamCharacters - (Interlocked.Add(ref _offeredCharacters, text.Length) - text.Length);
        int shown = room >= text.Length ? text.Length : (int)Math.Max(room, 0);
        // Cutting a surrogate pair in two would leave half a character, which a notebook's JSON cannot hold.
        if (shown > 0 && shown < text.Length && char.IsHighSurrogate(text[shown - 1])) shown--;
        if (shown < text.Length) Interlocked.Add(ref _droppedCharacters, text.Length - shown);
        if (shown == 0) return;
        Interlocked.Add(ref _shownCharacters, shown);
        inner.Stream(name, shown == text.Length ? text : text[..shown]);
    }

    /// <inheritdoc />
    public void Display(object? value, JsonObject data, string displayId)
    {
        if (TakeDisplay()) inner.Display(value, data, displayId);
    }

    /// <summary>
    /// Shows a new display of <paramref name="value"/> under a new id, unless the cell is past its display limit;
    /// <paramref name="format"/> runs only when it is shown.
    /// </summary>
    /// <returns>The display's id, or null when it was dropped.</returns>
    public string? Show(object? value, Func<object?, JsonObject> format)
    {
        if (!TakeDisplay()) return null;
        var displayId = Guid.NewGuid().ToString("N");
        inner.Display(value, format(value), displayId);
        return displayId;
    }

    bool TakeDisplay() => Interlocked.Increment(ref _offeredDisplays) <= limits.MaxDisplays;

    /// <inheritdoc />
    public void UpdateDisplay(object? value, JsonObject data, string displayId) => inner.UpdateDisplay(value, data, displayId);

    /// <inheritdoc />
    public void Result(JsonObject data, int executionCount) => inner.Result(data, executionCount);

    /// <inheritdoc />
    public void Error(string name, string value, IReadOnlyList<string> traceback) => inner.Error(name, value, traceback);

    /// <inheritdoc />
    public void Flush() => inner.Flush();

    /// <summary>
    /// The cell's code has ended, or was abandoned: writes the note on what it dropped, once, on stderr. A thread the
    /// cell left running keeps its allowance's remainder; what it prints past the limit is dropped without another note.
    /// </summary>
    public void End()
    {
        if (Interlocked.Exchange(ref _ended, 1) == 0 && Note() is { } note) inner.Stream("stderr", note);
    }

    /// <summary>"[output limit: 1,048,576 characters shown, 312,475,648 more dropped]", or null when nothing was dropped.</summary>
    string? Note()
    {
        long droppedCharacters = Interlocked.Read(ref _droppedCharacters);
        long offeredDisplays = Interlocked.Read(ref _offeredDisplays);
        long shownDisplays = Math.Min(offeredDisplays, limits.MaxDisplays);
        var parts = new List<string>(2);
        if (droppedCharacters > 0) parts.Add(ShownAndDropped(Interlocked.Read(ref _shownCharacters), "character", droppedCharacters));
        if (offeredDisplays > shownDisplays) parts.Add(ShownAndDropped(shownDisplays, "display", offeredDisplays - shownDisplays));
        return parts.Count == 0 ? null : $"[output limit: {string.Join("; ", parts)}]\n";
    }

    static string ShownAndDropped(long shown, string unit, long dropped) =>
        string.Create(CultureInfo.InvariantCulture, $"{shown:N0} {unit}{(shown == 1 ? "" : "s")} shown, {dropped:N0} more dropped");
}
