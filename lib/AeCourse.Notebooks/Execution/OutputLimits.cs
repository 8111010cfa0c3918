namespace AeCourse.Notebooks.Execution;

/// <summary>
/// How much one cell may print and display before the rest is dropped, as nbgrader's LimitOutput does for a notebook's
/// outputs. What a cell prints past a limit costs next to nothing (it is counted, not kept), and the cell's outputs then
/// carry one note on stderr saying how much was dropped, e.g.
/// <c>[output limit: 1,048,576 characters shown, 312,475,648 more dropped]</c>. The defaults are far above what a
/// lecture prints, so they only stop runaway loops.
/// </summary>
public sealed record OutputLimits
{
    /// <summary>The limits a session has unless told otherwise: <see cref="MaxStreamCharacters"/> 1,048,576 and <see cref="MaxDisplays"/> 1,000.</summary>
    public static OutputLimits Default { get; } = new();

    /// <summary>
    /// Characters of stream text a cell may print: stdout and stderr together, whatever prints them (the console from
    /// any thread or task the cell started, or the cell's sink itself). The write that reaches the limit is cut there;
    /// later text is dropped. Default 1,048,576 (1 Mi characters, about a megabyte of notebook file). 0 drops all text.
    /// </summary>
    public long MaxStreamCharacters { get; init; } = 1 << 20;

    /// <summary>
    /// New displays (display_data: <c>display(x)</c>, <c>x.Display()</c>, the kit's pictures and charts) a cell may
    /// show; later ones are dropped before they are formatted, and updating a dropped display does nothing. Updates in
    /// place of a shown display (the trainer's progress, <c>LiveDisplay.Update</c>) are never counted: they replace an
    /// output instead of adding one. Default 1,000.
    /// </summary>
    public int MaxDisplays { get; init; } = 1000;
}
