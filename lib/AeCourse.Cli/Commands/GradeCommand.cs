using AeCourse.Cli.Hosting;
using System.CommandLine;
using AeCourse.IO;
using AeCourse.Notebooks.Execution;
using AeCourse.Notebooks.Format;
using AeCourse.Notebooks.Grading;

namespace AeCourse.Cli.Commands;

/// <summary>
/// <c>aecourse grade STUDENT.ipynb --source SOURCE.ipynb</c> grades one submission; <c>aecourse grade DIR --source …</c>
/// grades every notebook in a folder and writes a summary. Exit codes: 0 graded (whatever the score), 1 the grader
/// itself failed, 2 bad input (the message names the file and cell). The hidden verb <c>grade-worker</c> is the child
/// process the grader runs a submission in.
/// </summary>
static class GradeCommand
{
    /// <summary>Adds <c>grade</c> and the hidden <c>grade-worker</c> to the root command.</summary>
    public static void AddTo(RootCommand root)
    {
        root.Subcommands.Add(Create());
        root.Subcommands.Add(CreateWorker());
    }

    static Command Create()
    {
        var submission = new Argument<string>("submission") { Description = "The student's .ipynb, or a folder of them (graded in parallel)" };
        var source = new Option<string>("--source") { Description = "The instructor's notebook (with solutions and hidden tests), or a folder of them matched by file name", Required = true };
        var json = new Option<FileInfo?>("--json") { Description = "Also write the report as JSON (one submission)" };
        var executed = new Option<FileInfo?>("--executed") { Description = "Write the executed graded notebook, the student's feedback (one submission)" };
        var parameters = new Option<string[]>("--parameter", "-p") { Description = "name=value for the source's cell tagged 'parameters' (repeatable)", AllowMultipleArgumentsPerToken = false };
        var quick = new Option<bool>("--quick") { Description = "Same as -p quick=true" };
        var cellTimeout = new Option<double>("--cell-timeout") { Description = "Seconds one cell may run", DefaultValueFactory = _ => 120 };
        var timeout = new Option<double>("--timeout") { Description = "Seconds the grading of one submission may take in all", DefaultValueFactory = _ => 600 };
        var memory = new Option<long>("--memory") { Description = "MiB of memory a submission may use, all its processes together", DefaultValueFactory = _ => GradeOptions.DefaultMemoryMegabytes };
        var jobs = new Option<int>("--jobs") { Description = "Submissions graded at a time (folder mode)", DefaultValueFactory = _ => Environment.ProcessorCount };
        var summary = new Option<string?>("--summary") { Description = "Folder mode: write PREFIX.csv and PREFIX.json (default DIR/grades)" };
        var feedback = new Option<DirectoryInfo?>("--feedback") { Description = "Folder mode: write each student's feedback notebook under this folder, at the submission's relative path" };
        var showHidden = new Option<bool>("--show-hidden-tests") { Description = "Show the hidden tests' code in feedback notebooks (by default only their outcomes)" };
        var processes = new Option<int>("--processes") { Description = "Processes a submission may run at once", DefaultValueFactory = _ => 256 };
        var noSandbox = new Option<bool>("--no-sandbox") { Description = "Run submissions without the bubblewrap sandbox, with the grader's files and network (trusted code only)" };
        var shardOption = new Option<string?>("--shard") { Description = "Folder mode: grade only part K of N of the class (e.g. 2/8; join the parts with `grade merge`); the summary defaults to DIR/grades-K-of-N" };
        var command = new Command("grade", "Grade a student's notebook against the source's tests, hidden ones included")
            { submission, source, json, executed, parameters, quick, cellTimeout, timeout, memory, jobs, summary, feedback, showHidden, processes, noSandbox, shardOption };
        command.Subcommands.Add(CreateMerge());
        command.SetAction(async (result, _) =>
        {
            if (CommonOptions.NotebookParameters(result, parameters, quick) is not { } values) return 2;
            if (result.GetValue(cellTimeout) <= 0 || result.GetValue(timeout) <= 0 || result.GetValue(memory) <= 0 || result.GetValue(jobs) <= 0
                || result.GetValue(processes) <= 0)
            {
                Console.Error.WriteLine("--cell-timeout, --timeout, --memory, --jobs and --processes must be positive");
                return 2;
            }
            Shard? shard = null;
            if (result.GetValue(shardOption) is { } shardText)
            {
                try { shard = Shard.Parse(shardText); }
                catch (FormatException e) { Console.Error.WriteLine($"--shard: {e.Message}"); return 2; }
            }
            CommonOptions.ExportData(result);
            var target = Path.GetFullPath(result.GetValue(submission)!);
            bool sandboxed = !result.GetValue(noSandbox);
            if (sandboxed && await Sandbox.ProbeAsync() is { } why)
            {
                Console.Error.WriteLine($"the grader runs each submission in a sandbox, which does not work here: {why}");
                Console.Error.WriteLine("Grade on a machine where it does, or pass --no-sandbox to run the submissions with your own files and network (trusted code only).");
                return 1;
            }
            if (!sandboxed) Console.Error.WriteLine($"warning: {Sandbox.NotSandboxedNote}");
            var options = new GradeOptions
            {
                Checks = KitChecks.Library,
                CellTimeout = TimeSpan.FromSeconds(result.GetValue(cellTimeout)),
                Timeout = TimeSpan.FromSeconds(result.GetValue(timeout)),
                MemoryMegabytes = result.GetValue(memory),
                MaxProcesses = result.GetValue(processes),
                Sandbox = KitSandbox(sandboxed),
                ShowHiddenTests = result.GetValue(showHidden),
                Parameters = values,
                ExecutedPath = result.GetValue(executed)?.FullName,
                Log = line => Console.Error.WriteLine($"{Path.GetFileName(target)}: {line}"),
            };
            try
            {
                if (Directory.Exists(target))
                {
                    if (result.GetValue(json) is not null || result.GetValue(executed) is not null)
                    {
                        Console.Error.WriteLine($"{target} is a folder: --json and --executed are for one submission; the folder's summary goes to --summary PREFIX, feedback to --feedback DIR");
                        return 2;
                    }
                    var prefix = result.GetValue(summary) is { } p ? Path.GetFullPath(p)
                        : Path.Combine(target, shard is { } s ? $"grades-{s.Index}-of-{s.Count}" : "grades");
                    var batch = await GradeBatch.GradeFolderAsync(target, Path.GetFullPath(result.GetValue(source)!), options with { ExecutedPath = null },
                                                                  result.GetValue(jobs), result.GetValue(feedback)?.FullName, shard);
                    batch.Write(prefix);
                    Console.Write(batch.ToText());
                    Console.WriteLine($"wrote {prefix}.csv and {prefix}.json");
                    return 0;
                }
                if (shard is not null)
                {
                    Console.Error.WriteLine($"{target} is one submission: --shard K/N splits a folder of them");
                    return 2;
                }
                if (result.GetValue(feedback) is not null)
                {
                    Console.Error.WriteLine("--feedback DIR is for a folder of submissions; one submission's feedback goes to --executed FILE");
                    return 2;
                }
                var report = await Grader.GradeAsync(target, GradeBatch.SourceFor(Path.GetFullPath(result.GetValue(source)!), target), options);
                if (result.GetValue(json) is { } file) AtomicFile.WriteAllText(file.FullName, report.ToJson() + "\n");
                Console.Write(report.ToText());
                return 0;
            }
            catch (Exception e) when (e is NotebookFormatException or GradingMarkupException or NotebookCellException or GradingInputException)
            {
                Console.Error.WriteLine(e.Message);
                return 2;
            }
            catch (GraderException e)
            {
                Console.Error.WriteLine($"the grader failed: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    /// <summary>
    /// <c>aecourse grade merge PART.json... [--summary PREFIX]</c>: joins the summaries of shards 1..N into the one an
    /// unsharded run writes. Exit 0 merged, 2 when the parts do not make one whole class (the message names the files).
    /// </summary>
    static Command CreateMerge()
    {
        var parts = new Argument<string[]>("parts") { Description = "Each shard's summary (PREFIX.json as `grade DIR --shard K/N` wrote it)", Arity = ArgumentArity.OneOrMore };
        var summary = new Option<string>("--summary") { Description = "Write PREFIX.csv and PREFIX.json", DefaultValueFactory = _ => "grades" };
        var command = new Command("merge", "Join the summaries of a class's shards (grade DIR --shard K/N) into the summary of the whole class") { parts, summary };
        command.SetAction(result =>
        {
            var files = result.GetValue(parts)!;
            var read = new List<(string, string)>();
            foreach (var file in files)
            {
                try { read.Add((file, File.ReadAllText(file))); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    Console.Error.WriteLine($"{file}: cannot read it: {e.Message}");
                    return 2;
                }
            }
            GradeBatch batch;
            try { batch = GradeBatch.Merge(read); }
            catch (GradingInputException e)
            {
                Console.Error.WriteLine(e.Message);
                return 2;
            }
            var prefix = Path.GetFullPath(result.GetValue(summary)!);
            batch.Write(prefix);
            Console.Write(batch.ToText());
            Console.WriteLine($"merged {files.Length} shard(s), {batch.Entries.Count} submission(s); wrote {prefix}.csv and {prefix}.json");
            return 0;
        });
        return command;
    }

    /// <summary>
    /// The sandbox as the kit needs it: the data folder (embedded subsets, fetched sets) readable and named to the worker,
    /// which cannot search for it above a working folder that is empty in the sandbox.
    /// </summary>
    static SandboxOptions KitSandbox(bool enabled)
    {
        Data.DataStore store;
        try { store = Data.DataStore.Locate(); }
        catch (DirectoryNotFoundException) { return new SandboxOptions { Enabled = enabled }; }   // cells that need data say so
        return new SandboxOptions
        {
            Enabled = enabled,
            ReadOnlyPaths = [store.Root],
            Environment = new Dictionary<string, string> { [Data.DataStore.RootVariable] = store.Root },
        };
    }

    static Command CreateWorker()
    {
        var channel = new Option<string>("--channel") { Description = "The result pipe the grader passed", Required = true };
        var command = new Command(WorkerCommand.Verb, "Internal: the child process a submission is graded in") { channel };
        command.Hidden = true;
        command.SetAction(async (result, _) => await GradeWorker.RunAsync(result.GetValue(channel)!, KitPackages.Instance));
        return command;
    }
}
