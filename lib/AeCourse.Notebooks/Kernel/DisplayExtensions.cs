using AeCourse.Notebooks.Execution;

// In namespace System, as .NET Interactive puts it, so that notebook code calls x.Display() with no using.
namespace System;

/// <summary><c>x.Display()</c> for notebook code run by the AeCourse engine, as in Polyglot Notebooks.</summary>
public static class DisplayExtensions
{
    /// <summary>Shows the value in the running cell's outputs.</summary>
    public static DisplayedValue Display(this object? value) =>
        (CellContext.Current ?? throw new InvalidOperationException("Display() was called outside a running notebook cell.")).Display(value);
}
