using System.Text;

namespace AeCourse.Notebooks.Execution;

/// <summary>
/// Sends what cells print to their own outputs. Installed once for the process: <see cref="Console.Out"/> and
/// <see cref="Console.Error"/> become writers that forward to the running cell's sink (<see cref="CellContext"/>), and
/// to the console the process started with when no cell is running here. Nothing is swapped per cell, so a thread a cell
/// started keeps writing to that cell, and two sessions never mix their output.
/// </summary>
public static class ConsoleRouter
{
    static readonly Lock Gate = new();

    /// <summary>The process's own standard output, as it was before the router was installed.</summary>
    public static TextWriter Out { get; private set; } = Console.Out;

    /// <summary>The process's own standard error, as it was before the router was installed.</summary>
    public static TextWriter Error { get; private set; } = Console.Error;

    /// <summary>Routes the console through running cells; calling it again does nothing.</summary>
    public static void Install()
    {
        lock (Gate)
        {
            if (Console.Out is RoutedWriter) return;
            (Out, Error) = (Console.Out, Console.Error);
            Console.SetOut(new RoutedWriter("stdout", Out));
            Console.SetError(new RoutedWriter("stderr", Error));
        }
    }

    sealed class RoutedWriter(string stream, TextWriter process) : TextWriter
    {
        public override Encoding Encoding => Encoding.UTF8;
        public override void Write(char value) => Write(value.ToString());
        public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));
        public override void WriteLine(string? value) => Write((value ?? "") + "\n");
        public override void WriteLine() => Write("\n");

        public override void Write(string? value)
        {
            if (CellContext.Current is { } cell) cell.Sink.Stream(stream, value ?? "");
            else process.Write(value);
        }

        public override void Flush()
        {
            if (CellContext.Current is null) process.Flush();
        }
    }
}
