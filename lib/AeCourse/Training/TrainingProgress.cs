using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using AeCourse.Visualization;

namespace AeCourse.Training;

/// <summary>How <see cref="Trainer"/> shows its progress.</summary>
public enum ProgressStyle
{
    /// <summary>An updating display in a notebook cell; else a bar on a console; else one line per epoch (logs, CI).</summary>
    Auto,

    /// <summary>An updating display in the running notebook cell (falls back to lines outside a notebook).</summary>
    Notebook,

    /// <summary>A bar redrawn in place on the console, and one line per finished epoch.</summary>
    Bar,

    /// <summary>One line per finished epoch.</summary>
    Lines,

    /// <summary>Nothing.</summary>
    None,
}

/// <summary>
/// Where a training run stands: epoch and batch, time spent and left, and the last epoch's metrics. This is what the
/// notebook display shows; it renders as HTML (progress bars and a table) and as one line of text.
/// </summary>
[TypeFormatterSource(typeof(TrainingProgressFormatters), PreferredMimeTypes = ["text/html", "text/plain"])]
public sealed record TrainingProgress(int Epoch, int Epochs, int Batch, int Batches, TimeSpan Elapsed, IReadOnlyDictionary<string, double> LastMetrics)
{
    /// <summary>Fraction of the run done, in [0, 1].</summary>
    public double Fraction => Epochs == 0 ? 1 : Math.Clamp((Epoch - 1 + (Batches == 0 ? 1.0 : (double)Batch / Batches)) / Epochs, 0, 1);

    /// <summary>Time left, extrapolated from the time so far; null before anything was measured.</summary>
    public TimeSpan? Remaining => Fraction is > 0 and < 1 ? Elapsed * ((1 - Fraction) / Fraction) : Fraction >= 1 ? TimeSpan.Zero : null;

    /// <summary>One line: bar, epoch, batch, metrics and times.</summary>
    public override string ToString()
    {
        const int width = 24;
        int filled = (int)Math.Round(Fraction * width);
        var line = new StringBuilder($"[{new string('#', filled)}{new string('-', width - filled)}] epoch {Epoch}/{Epochs}");
        if (Batch < Batches) line.Append(CultureInfo.InvariantCulture, $" batch {Batch}/{Batches}");
        foreach (var (name, value) in LastMetrics.Where(m => m.Key != "seconds"))
            line.Append(CultureInfo.InvariantCulture, $" {name} {value:G4}");
        line.Append(CultureInfo.InvariantCulture, $" {Elapsed.TotalSeconds:F0} s");
        if (Remaining is { } left && left > TimeSpan.Zero) line.Append(CultureInfo.InvariantCulture, $", ~{left.TotalSeconds:F0} s left");
        return line.ToString();
    }

    /// <summary>Progress bars for the run and the epoch, and the last metrics as a table.</summary>
    public string ToHtml()
    {
        var html = new StringBuilder("<div class=\"aecourse-progress\">");
        html.Append(CultureInfo.InvariantCulture, $"<div><progress max=\"1\" value=\"{Fraction:F4}\"></progress> epoch {Epoch} of {Epochs}");
        if (Batch < Batches) html.Append(CultureInfo.InvariantCulture, $", batch {Batch} of {Batches}");
        html.Append(CultureInfo.InvariantCulture, $" · {Elapsed.TotalSeconds:F0} s");
        if (Remaining is { } left && left > TimeSpan.Zero) html.Append(CultureInfo.InvariantCulture, $", about {left.TotalSeconds:F0} s left");
        html.Append("</div>");
        if (LastMetrics.Count > 0)
        {
            html.Append("<table><tr>");
            foreach (var name in LastMetrics.Keys) html.Append($"<th>{WebUtility.HtmlEncode(name)}</th>");
            html.Append("</tr><tr>");
            foreach (var value in LastMetrics.Values) html.Append(CultureInfo.InvariantCulture, $"<td>{value:G4}</td>");
            html.Append("</tr></table>");
        }
        return html.Append("</div>").ToString();
    }
}

/// <summary>Formatters of <see cref="TrainingProgress"/>: HTML and a line of text.</summary>
sealed class TrainingProgressFormatters
{
    public IEnumerable<object> CreateTypeFormatters() =>
    [
        new MimeFormatter<TrainingProgress>("text/html", (p, w) => w.Write(p.ToHtml())),
        new MimeFormatter<TrainingProgress>("text/plain", (p, w) => w.Write(p.ToString())),
    ];
}

/// <summary>Turns a run's events into the chosen display, redrawing at most a few times a second.</summary>
sealed class ProgressReporter
{
    static readonly TimeSpan RedrawEvery = TimeSpan.FromMilliseconds(250);   // at most 4 updates a second
    readonly int epochs;
    readonly Stopwatch clock = Stopwatch.StartNew();
    readonly TextWriter console;
    LiveDisplay? live;
    TimeSpan lastDraw = -RedrawEvery;   // the first batch draws
    IReadOnlyDictionary<string, double> lastMetrics = new Dictionary<string, double>();
    TrainingProgress? undrawn;   // an epoch's state not drawn yet, to keep the pace

    public ProgressReporter(ProgressStyle style, int epochs, TextWriter? console = null)
    {
        this.console = console ?? Console.Out;
        this.epochs = epochs;
        Style = Resolve(style);
    }

    /// <summary>The style in effect after Auto and the fallbacks are resolved.</summary>
    public ProgressStyle Style { get; }

    ProgressStyle Resolve(ProgressStyle asked)
    {
        if (asked is ProgressStyle.Auto or ProgressStyle.Notebook)
        {
            live = LiveDisplay.TryShow(new TrainingProgress(0, epochs, 0, 0, TimeSpan.Zero, lastMetrics));
            if (live is not null) return ProgressStyle.Notebook;
            if (asked == ProgressStyle.Notebook) return ProgressStyle.Lines;
            return Console.IsOutputRedirected || console != Console.Out ? ProgressStyle.Lines : ProgressStyle.Bar;
        }
        return asked;
    }

    /// <summary>After a batch: redraws the live display or the bar when enough time has passed.</summary>
    public void Batch(int epoch, int batch, int batches)
    {
        if (Style is not (ProgressStyle.Notebook or ProgressStyle.Bar) || clock.Elapsed - lastDraw < RedrawEvery) return;
        Draw(new TrainingProgress(epoch, epochs, batch, batches, clock.Elapsed, lastMetrics));
    }

    /// <summary>
    /// After an epoch: the display is redrawn at the same pace as for batches (short epochs would otherwise update it
    /// many times a second), the last epoch always; the line styles write the history's line.
    /// </summary>
    public void Epoch(TrainingHistory history)
    {
        lastMetrics = history.Metrics.ToDictionary(m => m.Key, m => m.Value[^1]);
        var state = new TrainingProgress(history.Epochs, epochs, 1, 1, clock.Elapsed, lastMetrics);
        switch (Style)
        {
            case ProgressStyle.Notebook when history.Epochs >= epochs || clock.Elapsed - lastDraw >= RedrawEvery:
                Draw(state);
                break;
            case ProgressStyle.Notebook:
                undrawn = state;
                break;
            case ProgressStyle.Bar:
                console.Write("\r\u001b[2K");   // clear the bar's line, then leave the epoch's line behind it
                console.WriteLine(history);
                break;
            case ProgressStyle.Lines:
                console.WriteLine(history);
                break;
        }
    }

    /// <summary>At the end of the run: the display shows the last epoch (early stopping ends before the last one); the bar's line is cleared.</summary>
    public void Finish()
    {
        if (undrawn is { } last) Draw(last);
        if (Style == ProgressStyle.Bar) console.Write("\r\u001b[2K");
    }

    void Draw(TrainingProgress state)
    {
        lastDraw = clock.Elapsed;
        undrawn = null;
        if (live is not null) live.Update(state);
        else console.Write("\r\u001b[2K" + state);
    }
}
