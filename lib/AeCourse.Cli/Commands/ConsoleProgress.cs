using System.Globalization;
using AeCourse.Notebooks.Execution;
using AeCourse.Notebooks.Format;
using AeCourse.Training;

namespace AeCourse.Cli.Commands;

/// <summary>
/// What <c>aecourse run</c> shows while a notebook runs: which code cell of how many, with its first line of code, then
/// the trainer's progress in its place, mirrored from the notebook's live display. On a terminal one status line is redrawn in place;
/// elsewhere (CI logs) a line per cell and a progress line at most every <see cref="LogEvery"/>. Quiet shows nothing.
/// </summary>
sealed class ConsoleProgress(string name, TextWriter writer, bool live, bool quiet)
{
    static readonly TimeSpan LogEvery = TimeSpan.FromSeconds(15);

    readonly Lock _gate = new();
    string _cell = "";
    DateTime _lastLogged = DateTime.MinValue;

    /// <summary>A console on a terminal redraws; redirected output gets lines.</summary>
    public static ConsoleProgress ForStandardError(string name, bool quiet) => new(name, Console.Error, live: !Console.IsErrorRedirected, quiet);

    /// <summary>Takes one event of the run (pass it as <see cref="RunOptions.Events"/>).</summary>
    public void On(RunEvent e)
    {
        if (quiet) return;
        lock (_gate)
        {
            switch (e)
            {
                case CellStarted s:
                    _cell = string.Create(CultureInfo.InvariantCulture, $"[{s.CodeCell.ToString().PadLeft(s.CodeCells.ToString().Length)}/{s.CodeCells}] cell {s.CellNumber}");
                    Show($"{_cell}: {s.FirstLine}", always: true);
                    break;
                case CellDisplayed { Value: TrainingProgress p }:
                    Show($"{_cell} · {p}", always: p.Fraction >= 1);
                    break;
                case CellFinished { Failure: { } failure }:
                    if (live) writer.WriteLine();
                    writer.WriteLine($"{name}: {failure.Message}");
                    break;
            }
        }
    }

    /// <summary>Ends the status line before the summary.</summary>
    public void Done()
    {
        if (quiet || !live) return;
        lock (_gate) writer.Write("\r\u001b[2K");
    }

    void Show(string line, bool always)
    {
        if (live)
        {
            int width = Console.IsErrorRedirected ? 120 : Math.Max(40, SafeWidth());
            writer.Write("\r\u001b[2K" + (line.Length > width - 1 ? line[..(width - 2)] + "…" : line));
            return;
        }
        if (!always && DateTime.UtcNow - _lastLogged < LogEvery) return;
        _lastLogged = DateTime.UtcNow;
        writer.WriteLine($"{name}: {line}");
    }

    static int SafeWidth()
    {
        try { return Console.WindowWidth; }
        catch (IOException) { return 120; }
    }

    /// <summary>
    /// The run's headline numbers: the text that the cells tagged <c>headline</c> printed, a line each (the lectures
    /// tag the cells that print what the lecture is about).
    /// </summary>
    public static IReadOnlyList<string> Headlines(Notebook executed) =>
        executed.Cells.Where(c => c.IsCode && c.Tags.Contains("headline"))
            .SelectMany(c => c.Outputs.OfType<System.Text.Json.Nodes.JsonObject>())
            .Where(o => o["output_type"]?.GetValue<string>() == "stream" && o["name"]?.GetValue<string>() == "stdout")
            .SelectMany(o => string.Concat(o["text"]!.AsArray().Select(t => t!.GetValue<string>())).Split('\n'))
            .Select(l => l.TrimEnd()).Where(l => l.Length > 0)
            .ToList();
}
