namespace AeCourse.Notebooks.Execution;

/// <summary>
/// What notebook code can call without a prefix, as in Polyglot Notebooks' C# kernel: <c>display(x)</c>.
/// </summary>
public sealed class KernelGlobals
{
    /// <summary>Shows <paramref name="value"/> in the cell's outputs with every MIME type its formatters give.</summary>
    // Lower-case on purpose: it is the kernel's API, and notebooks written for Polyglot call display(...).
    public DisplayedValue display(object? value) =>
        (CellContext.Current ?? throw new InvalidOperationException("display() was called outside a running cell.")).Display(value);
}
