using System.Reflection;

namespace AeCourse.Visualization;

/// <summary>
/// A value shown in the running notebook cell that can be replaced in place (training progress, live charts). Works in
/// Polyglot Notebooks (.NET Interactive) and in the kit's engine, found by reflection so the library depends on neither.
/// </summary>
/// <remarks>
/// In .NET Interactive, <c>x.Display()</c> and <c>display(x)</c> announce one display id and return a handle with
/// another, so the handle's <c>Update</c> targets a display that does not exist (VS Code then adds a second output).
/// The kit therefore displays through the running command's <c>KernelInvocationContext</c>, whose
/// <c>Display(context, value, mimeTypes)</c> announces and returns the same handle. In the kit's engine,
/// <c>System.DisplayExtensions.Display</c> of AeCourse.Notebooks is used.
/// </remarks>
public sealed class LiveDisplay
{
    readonly object handle;
    readonly MethodInfo update;

    LiveDisplay(object handle, MethodInfo update)
    {
        this.handle = handle;
        this.update = update;
    }

    /// <summary>Shows <paramref name="value"/> in the running cell and returns its handle.</summary>
    /// <exception cref="InvalidOperationException">No notebook cell is running.</exception>
    public static LiveDisplay Show(object value) =>
        TryShow(value) ?? throw new InvalidOperationException("LiveDisplay.Show needs a running notebook cell (Polyglot Notebooks or the kit's engine).");

    /// <summary>Shows <paramref name="value"/> in the running cell; null when no notebook cell is running.</summary>
    public static LiveDisplay? TryShow(object value)
    {
        foreach (var display in DisplayCalls())
        {
            try
            {
                if (display(value) is { } handle && handle.GetType().GetMethod("Update", [typeof(object)]) is { } update)
                    return new LiveDisplay(handle, update);
            }
            catch (TargetInvocationException)
            {
                // The host is loaded but no cell is running (e.g. a test calling the kit from a script host).
            }
        }
        return null;
    }

    /// <summary>Replaces what is shown with <paramref name="value"/>.</summary>
    public void Update(object value) => update.Invoke(handle, [value]);

    /// <summary>The ways to display in the hosts loaded in this process, the .NET Interactive kernel first.</summary>
    static IEnumerable<Func<object, object?>> DisplayCalls()
    {
        var assemblies = AppDomain.CurrentDomain.GetAssemblies();
        if (assemblies.FirstOrDefault(a => a.GetName().Name == "Microsoft.DotNet.Interactive") is { } interactive
            && interactive.GetType("Microsoft.DotNet.Interactive.KernelInvocationContext")?.GetProperty("Current", BindingFlags.Public | BindingFlags.Static) is { } current
            && interactive.GetType("Microsoft.DotNet.Interactive.KernelInvocationContextExtensions")?
                   .GetMethod("Display", BindingFlags.Public | BindingFlags.Static, [current.PropertyType, typeof(object), typeof(string[])]) is { } display)
            yield return value => current.GetValue(null) is { } context ? display.Invoke(null, [context, value, Array.Empty<string>()]) : null;
        if (assemblies.FirstOrDefault(a => a.GetName().Name == "AeCourse.Notebooks")?.GetType("System.DisplayExtensions")?
                .GetMethod("Display", BindingFlags.Public | BindingFlags.Static, [typeof(object)]) is { } engine)
            yield return value => engine.Invoke(null, [value]);
    }
}
