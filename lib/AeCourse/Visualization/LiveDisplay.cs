using System.Reflection;

namespace AeCourse.Visualization;

/// <summary>
/// A value shown in the running notebook cell that can be replaced in place (training progress, live charts). Works in
/// Polyglot Notebooks and in the kit's engine, found by reflection so the library depends on neither: both define
/// <c>System.DisplayExtensions.Display(this object, …)</c> returning a handle with <c>Update(object)</c>.
/// </summary>
public sealed class LiveDisplay
{
    static readonly string[] Hosts = ["Microsoft.DotNet.Interactive", "AeCourse.Notebooks"];
    readonly object handle;
    readonly MethodInfo update;

    LiveDisplay(object handle, MethodInfo update)
    {
        this.handle = handle;
        this.update = update;
    }

    /// <summary>Shows <paramref name="value"/> in the running cell; null when no notebook cell is running.</summary>
    public static LiveDisplay? TryShow(object value)
    {
        foreach (var display in DisplayMethods())
        {
            try
            {
                var arguments = display.GetParameters().Length == 2 ? new object?[] { value, Array.Empty<string>() } : [value];
                if (display.Invoke(null, arguments) is { } handle
                    && handle.GetType().GetMethod("Update", [typeof(object)]) is { } update)
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

    static IEnumerable<MethodInfo> DisplayMethods() =>
        AppDomain.CurrentDomain.GetAssemblies()
            .Where(a => Hosts.Contains(a.GetName().Name))
            .Select(a => a.GetType("System.DisplayExtensions"))
            .OfType<Type>()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static))
            .Where(m => m.Name == "Display" && m.GetParameters() is [{ ParameterType: var p }, ..] && p == typeof(object)
                        && (m.GetParameters().Length == 1 || m.GetParameters()[1].ParameterType == typeof(string[])));
}
