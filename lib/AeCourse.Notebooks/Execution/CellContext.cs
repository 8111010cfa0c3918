namespace AeCourse.Notebooks.Execution;

/// <summary>
/// The cell whose code is running on this logical thread: where its output goes and whether it was asked to stop.
/// Held in an <see cref="AsyncLocal{T}"/>, so it follows the cell's code into tasks and threads it starts, and two
/// sessions in one process never see each other's cells: nothing process-wide is swapped from cell to cell.
/// </summary>
public sealed class CellContext
{
    static readonly AsyncLocal<CellContext?> Running = new();

    readonly LimitedSink _output;

    internal CellContext(LimitedSink output, int cellNumber, CancellationToken interrupt)
    {
        _output = output;
        CellNumber = cellNumber;
        Interrupt = interrupt;
    }

    /// <summary>The cell running here, or null outside any cell.</summary>
    public static CellContext? Current => Running.Value;

    /// <summary>Where the cell's outputs go, within the session's <see cref="OutputLimits"/>.</summary>
    public IOutputSink Sink => _output;

    /// <summary>1-based position of the cell in its notebook.</summary>
    public int CellNumber { get; }

    /// <summary>
    /// Cancelled when the front end interrupts the cell or its time is up. Long loops (the kit's trainer) check it and
    /// stop at their next step; code that never checks cannot be stopped in the process.
    /// </summary>
    public CancellationToken Interrupt { get; }

    /// <summary>
    /// Shows <paramref name="value"/> in this cell's outputs and returns a handle that updates it in place. Past the
    /// cell's display limit nothing is shown, and the handle (with an empty id) updates nothing.
    /// </summary>
    public DisplayedValue Display(object? value)
    {
        // Formatted, and given an id, only when shown: a loop displaying millions of values pays next to nothing for the rest.
        return _output.Show(value, MimeBundle.Of) is { } displayId ? new DisplayedValue(_output, displayId) : DisplayedValue.Dropped;
    }

    /// <summary>Makes this the running cell for the rest of the calling method (an async method restores the caller's on return).</summary>
    internal void Enter() => Running.Value = this;

    /// <summary>Runs <paramref name="action"/> as if outside any cell: what it prints goes to the process's console.</summary>
    internal static void Outside(Action action)
    {
        var cell = Running.Value;
        Running.Value = null;
        try { action(); }
        finally { Running.Value = cell; }
    }
}
