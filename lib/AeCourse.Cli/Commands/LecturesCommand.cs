using AeCourse.Cli.Hosting;
using System.CommandLine;
using System.Globalization;
using System.Net;
using AeCourse.Notebooks.Execution;
using AeCourse.Notebooks.Format;
using AeCourse.Notebooks.Rendering;

namespace AeCourse.Cli.Commands;

/// <summary>
/// <c>aecourse lectures --out DIR</c>: runs every lecture notebook in order (by default the instructor sources in
/// source/, whose exercises hold their solutions) and writes, for each, the executed notebook and its standalone HTML
/// page, plus an index page — what a lecturer walks through without running anything.
/// Exit 1 when a lecture fails (its page is still written, with the error in it), 2 on a bad notebook.
/// </summary>
static class LecturesCommand
{
    public static Command Create()
    {
        var folder = new Argument<DirectoryInfo?>("folder") { Description = "Folder of lecture notebooks (default: source, the instructor sources with their solutions)", Arity = ArgumentArity.ZeroOrOne };
        var output = new Option<DirectoryInfo>("--out") { Description = "Where the executed notebooks, their pages and index.html go", Required = true };
        var quick = new Option<bool>("--quick") { Description = "Run each lecture in quick mode (-p quick=true)" };
        var command = new Command("lectures", "Run every lecture notebook and render each, with an index page, for lecture walkthroughs")
            { folder, output, quick };
        command.SetAction(async (result, _) =>
        {
            var source = result.GetValue(folder)?.FullName ?? Path.GetFullPath("source");
            if (!Directory.Exists(source)) { Console.Error.WriteLine($"{source}: no such folder"); return 2; }
            var target = Directory.CreateDirectory(result.GetValue(output)!.FullName).FullName;
            CommonOptions.ExportData(result);
            var parameters = result.GetValue(quick) ? new Dictionary<string, string> { ["quick"] = "true" } : [];

            var entries = new List<(string Name, string Title, string Status)>();
            int failed = 0;
            foreach (var path in Directory.GetFiles(source, "*.ipynb").Order(StringComparer.Ordinal))
            {
                var name = Path.GetFileNameWithoutExtension(path);
                Notebook notebook;
                try { notebook = Notebook.Read(path); }
                catch (NotebookFormatException e) { Console.Error.WriteLine(e.Message); return 2; }
                var run = await NotebookRunner.RunAsync(notebook, new RunOptions { Parameters = parameters, Packages = KitPackages.Instance, Events = e => { if (e is CellStarted s) Console.Error.WriteLine($"{name}: cell {s.CellNumber}"); } });
                run.Notebook.Write(Path.Combine(target, name + ".ipynb"));
                HtmlRenderer.Write(run.Notebook, Path.Combine(target, name + ".html"));
                var status = run.Succeeded ? string.Create(CultureInfo.InvariantCulture, $"ran in {run.Elapsed.TotalSeconds:0} s") : "FAILED: " + string.Join("; ", run.Failures.Select(f => f.Message));
                if (!run.Succeeded) failed++;
                entries.Add((name, TitleOf(run.Notebook) ?? name, status));
                Console.WriteLine($"{name}: {status}");
                ReleaseLectureMemory();
            }
            AeCourse.IO.AtomicFile.WriteAllText(Path.Combine(target, "index.html"), Index(entries, result.GetValue(quick)));
            Console.WriteLine($"wrote {entries.Count} lectures and index.html to {target}");
            return failed == 0 ? 0 : 1;
        });
        return command;
    }

    /// <summary>
    /// A finished lecture's tensors (its models, its data, what its cells left in variables) are unreachable, but their
    /// native memory goes back to libtorch only when their finalizers run, and the garbage collector, which does not see
    /// that memory, may not run for several lectures: without this, running the nine one after another in one process
    /// holds several lectures' tensors at once.
    /// </summary>
    static void ReleaseLectureMemory()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    /// <summary>The first Markdown heading of the notebook, without its #.</summary>
    static string? TitleOf(Notebook notebook) =>
        notebook.Cells.Where(c => c.CellType == "markdown")
            .SelectMany(c => c.Source.Split('\n'))
            .FirstOrDefault(l => l.StartsWith("# ", StringComparison.Ordinal))?[2..].Trim();

    static string Index(IEnumerable<(string Name, string Title, string Status)> entries, bool quick) =>
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>AeCourse lectures</title></head><body>\n" +
        $"<h1>AeCourse lectures</h1>\n<p>Executed {(quick ? "in quick mode (embedded data)" : "in full mode")}.</p>\n<ul>\n" +
        string.Concat(entries.Select(e => $"<li><a href=\"{WebUtility.HtmlEncode(e.Name)}.html\">{WebUtility.HtmlEncode(e.Title)}</a> — {WebUtility.HtmlEncode(e.Status)}</li>\n")) +
        "</ul>\n</body></html>\n";
}
