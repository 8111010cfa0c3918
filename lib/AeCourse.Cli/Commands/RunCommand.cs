using AeCourse.Cli.Hosting;
using System.CommandLine;
using System.Globalization;
using AeCourse.Notebooks.Execution;
using AeCourse.Notebooks.Format;

namespace AeCourse.Cli.Commands;

/// <summary>
/// <c>aecourse run NOTEBOOK</c>: executes a notebook's C# cells headless and writes it back with its outputs.
/// Exit codes: 0 all cells ran, 1 a cell failed, 2 the notebook or a parameter is invalid, 3 a time limit was hit.
/// </summary>
static class RunCommand
{
    public static Command Create()
    {
        var notebook = new Argument<FileInfo>("notebook") { Description = "The .ipynb file" };
        var output = new Option<FileInfo?>("--output", "-o") { Description = "Write the executed notebook here instead of in place" };
        var parameters = new Option<string[]>("--parameter", "-p") { Description = "name=value for the cell tagged 'parameters' (repeatable)", AllowMultipleArgumentsPerToken = false };
        var quick = new Option<bool>("--quick") { Description = "Same as -p quick=true: the course notebooks' fast settings for a 2-core CPU" };
        var allowErrors = new Option<bool>("--allow-errors") { Description = "Go on after a failing cell, as the kernel does" };
        var timeout = new Option<double?>("--timeout") { Description = "Seconds the whole notebook may run" };
        var cellTimeout = new Option<double?>("--cell-timeout") { Description = "Seconds one cell may run" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Print only the summary (for CI logs): no cell-by-cell progress" };
        var command = new Command("run", "Execute a notebook headless and write it with its outputs")
            { notebook, output, parameters, quick, allowErrors, timeout, cellTimeout, quiet };
        command.SetAction(async (result, _) =>
        {
            var path = result.GetValue(notebook)!.FullName;
            Notebook source;
            try { source = Notebook.Read(path); }
            catch (NotebookFormatException e) { Console.Error.WriteLine(e.Message); return 2; }

            if (CommonOptions.NotebookParameters(result, parameters, quick) is not { } values) return 2;
            CommonOptions.ExportData(result);

            var name = Path.GetFileName(path);
            var progress = ConsoleProgress.ForStandardError(name, result.GetValue(quiet));
            // Ctrl+C interrupts the running cell (the kit's training stops after its batch) and the run ends with the
            // notebook saved; a second Ctrl+C ends the process at once.
            using var interrupt = new CancellationTokenSource();
            Console.CancelKeyPress += (_, e) =>
            {
                if (interrupt.IsCancellationRequested) return;
                e.Cancel = true;
                interrupt.Cancel();
                Console.Error.WriteLine($"{name}: interrupting the running cell (Ctrl+C again to quit at once)");
            };
            var options = new RunOptions
            {
                Packages = KitPackages.Instance,
                Interrupt = interrupt.Token,
                AllowErrors = result.GetValue(allowErrors),
                NotebookTimeout = Seconds(result.GetValue(timeout)),
                CellTimeout = Seconds(result.GetValue(cellTimeout)),
                Parameters = values,
                Events = progress.On,
            };
            var run = await NotebookRunner.RunAsync(source, options);
            progress.Done();
            var target = result.GetValue(output)?.FullName ?? path;
            if (run.Failures is [{ Kind: "parameters" } bad]) { Console.Error.WriteLine(bad.Message); return 2; }
            run.Notebook.Write(target);

            if (result.GetValue(quiet))
                foreach (var failure in run.Failures) Console.Error.WriteLine(failure.Message);
            int cells = run.Notebook.Cells.Count(c => c.IsCode);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name}: {(run.Succeeded ? "ran" : run.TimedOut ? "timed out" : "failed")} ({cells} code cells) in {run.Elapsed.TotalSeconds:0.0} s; wrote {target}"));
            if (run.Succeeded)
                foreach (var line in ConsoleProgress.Headlines(run.Notebook)) Console.WriteLine($"  {line}");
            else
                Console.WriteLine($"  {run.Failures[0].Message.Split('\n')[0]}");
            if (run.TimedOut)
            {
                // The cell that ran over cannot be stopped inside the process: end it, now that the notebook is saved.
                Console.Out.Flush();
                Environment.Exit(3);
            }
            return run.Succeeded ? 0 : 1;
        });
        return command;
    }

    static TimeSpan? Seconds(double? value) => value is { } s ? TimeSpan.FromSeconds(s) : null;
}
