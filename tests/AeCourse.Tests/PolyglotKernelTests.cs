using AeCourse.Notebooks.Execution;
using AeCourse.Notebooks.Format;
using AeCourse.Notebooks.Grading;
using AeCourse.Tests.Support;
using Xunit.Abstractions;

namespace AeCourse.Tests;

/// <summary>
/// The lectures in the real Polyglot Notebooks kernel (Microsoft's dotnet-interactive, the last release), cell by cell
/// as VS Code submits them, after the README's steps on a fresh machine: the kit packed into artifacts/packages, the
/// kernel with an empty NuGet cache. Every instructor source runs in quick mode without a failing cell; every students'
/// copy (one epoch where it has the parameter) fails only in its exercises, each with the stub's NotImplementedException
/// and hint. Pictures and charts carry
/// image/png, text/html and text/plain, and the trainer's progress is one output updated in place. Each lecture runs
/// once per copy here; these runs serve every check on the kernel's path.
/// </summary>
public sealed partial class PolyglotKernelTests(KernelInstall install, ITestOutputHelper log) : IClassFixture<KernelInstall>
{
    static readonly TimeSpan CellLimit = TimeSpan.FromMinutes(10);

    public static TheoryData<string> LectureNames() => new(LectureTests.Lectures);

    /// <summary>Runs every code cell of a lecture source in the kernel, with quick = true injected after its parameters cell.</summary>
    List<(NotebookCell Cell, KernelCell Run)> RunQuick(PolyglotKernel kernel, string name)
    {
        var notebook = Notebook.Read(Path.Combine(TestPaths.Repo, "source", name));
        Parameters.Inject(notebook, new Dictionary<string, string> { ["quick"] = "true" });
        var runs = new List<(NotebookCell, KernelCell)>();
        foreach (var cell in notebook.Cells.Where(c => c.IsCode))
        {
            var run = kernel.Submit(cell.Source, CellLimit);
            log.WriteLine($"{name} cell {runs.Count + 1}: {(run.Succeeded ? "ok" : "failed")} in {run.Time.TotalSeconds:F1} s");
            runs.Add((cell, run));
        }
        log.WriteLine($"{name}: {runs.Sum(r => r.Item2.Time.TotalSeconds):F0} s in the kernel");
        return runs;
    }

    /// <summary>
    /// One run per lecture serves both copies. The instructor source runs cell by cell; then, in the same kernel, each
    /// exercise of the students' copy: its answer cell (the stub) and the checks after it, as a student who reaches the
    /// exercise runs them. The students' copy differs from the source only in those cells (<see cref="ReleaseTests"/>),
    /// and no other cell of it uses what an exercise makes (the release refuses such a source,
    /// <see cref="AnswerDependencies"/>), so the rest of the copy is the run above.
    /// </summary>
    [Theory]
    [MemberData(nameof(LectureNames))]
    public void Given_a_lecture_When_run_cell_by_cell_in_the_real_kernel_Then_every_cell_succeeds_with_pictures_charts_and_live_progress_and_each_students_stub_stops_with_its_hint(string name)
    {
        using var kernel = PolyglotKernel.Start(install, Path.Combine(TestPaths.Repo, "source"));
        var runs = RunQuick(kernel, name);
        foreach (var (_, run) in runs)
        {
            Assert.True(run.Succeeded, $"{name}, code cell {run.Index + 1} failed in the kernel: {run.Failure}\n{run.Code}");
            Assert.True(run.Stderr.Length == 0, $"{name}, code cell {run.Index + 1} wrote to stderr: {run.Stderr}");
        }
        var displays = runs.SelectMany(r => r.Run.Events).Where(e => e.Type is "DisplayedValueProduced" or "ReturnValueProduced").ToList();
        AssertRichOutputs(name, displays);
        Assert.Contains(displays, IsPicture);
        if (name != "00-getting-started.ipynb")
        {
            Assert.Contains(displays, IsChart);
            AssertProgressUpdatesInPlace(name, runs.Select(r => r.Run).ToList());
        }

        var copy = Notebook.Read(Path.Combine(TestPaths.Repo, "notebooks", name));
        var markup = GradedCell.ReadAll(copy);
        var answers = markup.Where(m => m.Role == CellRole.Answer).ToList();
        Assert.NotEmpty(answers);
        foreach (var answer in answers)
        {
            // A cell may hold more than one stub (04's hole loss and the training that uses it): a check stops at one of them.
            var hints = StubHint().Matches(copy.Cells[answer.Index].Source).Select(m => m.Groups[1].Value.Replace("\\\"", "\"")).ToList();
            Assert.NotEmpty(hints);
            var stub = kernel.Submit(copy.Cells[answer.Index].Source, CellLimit);
            Assert.True(stub.Succeeded, $"{name}, the students' answer cell {answer.GradeId} failed in the kernel: {stub.Failure}");
            var checks = markup.SkipWhile(m => m.Index <= answer.Index).TakeWhile(m => m.Role == CellRole.Test).ToList();
            Assert.NotEmpty(checks);
            foreach (var check in checks)
            {
                var run = kernel.Submit(copy.Cells[check.Index].Source, CellLimit);
                Assert.True(!run.Succeeded && run.Failure!.Contains("System.NotImplementedException", StringComparison.Ordinal) && hints.Any(h => run.Failure.Contains(h, StringComparison.Ordinal)),
                    $"{name}, the check {check.GradeId} should stop at a stub of {answer.GradeId} with its hint; the kernel said: {run.Failure}");
            }
        }
    }

    /// <summary>
    /// One lecture as Jupyter itself runs it: .NET Interactive's Jupyter kernel, installed with
    /// <c>dotnet-interactive jupyter install --path DIR/kernels</c> and found through JUPYTER_PATH=DIR, driven by Debian's nbclient
    /// (the executor under nbconvert and papermill); the executed notebook passes nbformat's validator, keeps its
    /// pictures as image/png, and a training's progress, updated in place, is saved as one output in its final state.
    /// </summary>
    [Fact]
    public void Given_lecture_00_When_nbclient_runs_it_on_the_kernels_Jupyter_kernel_Then_every_cell_runs_and_pictures_keep_image_png()
    {
        using var dir = new TempDir();
        install.Tool(dir.Path, "jupyter", "install", "--path", Directory.CreateDirectory(dir["jupyter/kernels"]).FullName);
        var notebook = Notebook.Read(Path.Combine(TestPaths.Repo, "source", "00-getting-started.ipynb"));
        Parameters.Inject(notebook, new Dictionary<string, string> { ["quick"] = "true" });
        // And a short training after the lecture, whose progress must end as one output holding its final state.
        notebook.Cells.Add(NotebookCell.Code("""
            var x = torch.rand(256, 1, 28, 28);
            var ae = new AeCourse.Models.DenseAutoencoder(784, [16], 4);
            new AeCourse.Training.Trainer(ae, torch.optim.Adam(ae.parameters(), lr: 1e-3),
                (b, _) => AeCourse.Losses.Reconstruction.BcePerPixel(ae.forward(b.flatten(1)), b.flatten(1)))
                .Fit(x, null, new AeCourse.Training.TrainerOptions { Epochs = 2, Seed = 0 });
            """, []));
        notebook.Write(dir["in.ipynb"]);
        var environment = new Dictionary<string, string>(install.Environment)
        {
            ["JUPYTER_PATH"] = dir["jupyter"],
            ["PATH"] = Path.GetDirectoryName(install.Executable) + ":" + Environment.GetEnvironmentVariable("PATH"),
        };
        Assert.Null(Nbclient.Execute(dir["in.ipynb"], Path.Combine(TestPaths.Repo, "source"), dir["out.ipynb"], environment));
        Assert.Null(NotebookCorpus.ValidateWithNbformat(dir["out.ipynb"]));
        var executed = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(dir["out.ipynb"]))!.AsObject();
        var outputs = NotebookCorpus.CodeCells(executed).SelectMany(NotebookCorpus.Outputs).ToList();
        Assert.DoesNotContain(outputs, o => o["output_type"]!.GetValue<string>() == "error");
        Assert.Contains(outputs, o => o["data"]?["image/png"] is not null && o["data"]?["text/html"] is not null && o["data"]?["text/plain"] is not null);
        Assert.Contains(outputs, o => o["output_type"]!.GetValue<string>() == "stream" && string.Concat(o["text"]!.AsArray().Select(t => t!.GetValue<string>())).Contains("AeCourse 0.1.0"));
        // The kernel sent update_display_data for the progress; nbclient applied it to the one output it names.
        var training = NotebookCorpus.Outputs(NotebookCorpus.CodeCells(executed)[^1]).Where(o => o["data"]?["text/html"] is not null).ToList();
        var progress = Assert.Single(training);
        Assert.StartsWith("<div class=\"aecourse-progress\">", Text(progress["data"]!["text/html"]!));
        Assert.Contains("epoch 2/2", Text(progress["data"]!["text/plain"]!));
    }

    /// <summary>A MIME value as nbformat stores it: a string, or a list of lines.</summary>
    static string Text(System.Text.Json.Nodes.JsonNode value) =>
        value is System.Text.Json.Nodes.JsonArray lines ? string.Concat(lines.Select(l => l!.GetValue<string>())) : value.GetValue<string>();

    /// <summary>
    /// NuGet keeps the first package of a version it sees, so after the kit changes, the kernel can go on loading an
    /// old AeCourse 0.1.0 from its cache although the package folder holds a new one. The first cell then fails with
    /// a message naming both and the command that mends it. Made real here: the cache holds the packed kit, and a
    /// notebook folder's nuget.config names a folder whose AeCourse 0.1.0 is another build.
    /// </summary>
    [Fact]
    public void Given_a_cached_kit_package_that_differs_from_the_package_folder_When_the_first_cell_runs_Then_it_fails_saying_what_to_run()
    {
        var firstCell = Notebook.Read(Path.Combine(TestPaths.Repo, "source", "00-getting-started.ipynb")).Cells.First(c => c.IsCode).Source;
        using (var kernel = PolyglotKernel.Start(install, Path.Combine(TestPaths.Repo, "source")))
        {
            var fresh = kernel.Submit(firstCell + "\nConsole.WriteLine(NotebookHost.KernelVersion());", CellLimit);
            Assert.True(fresh.Succeeded, fresh.Failure);
            Assert.EndsWith($"{PolyglotKernel.ToolVersion}\n", fresh.Stdout);
        }
        using var lab = new TempDir();
        Directory.CreateDirectory(lab["notebooks"]);
        File.Copy(Path.Combine(TestPaths.Repo, "notebooks", "nuget.config"), lab["notebooks/nuget.config"]);
        Directory.CreateDirectory(lab["artifacts/packages"]);
        var other = lab["artifacts/packages/AeCourse.0.1.0.nupkg"];
        File.Copy(Path.Combine(TestPaths.Repo, "artifacts", "packages", "AeCourse.0.1.0.nupkg"), other);
        using (var zip = System.IO.Compression.ZipFile.Open(other, System.IO.Compression.ZipArchiveMode.Update))
        {
            // Another build of the same version: the assembly's bytes differ.
            using var dll = zip.GetEntry("lib/net10.0/AeCourse.dll")!.Open();
            dll.Seek(0, SeekOrigin.End);
            dll.WriteByte(0);
        }
        using var stale = PolyglotKernel.Start(install, lab["notebooks"]);
        var run = stale.Submit(firstCell, CellLimit);
        Assert.False(run.Succeeded, "the first cell should refuse a stale kit");
        Assert.Contains($"which is not the package in {other}", run.Failure);
        Assert.Contains("Remove the cached copy and restart the kernel: rm -rf", run.Failure);
    }

    /// <summary>
    /// A notebook folder whose nuget.config names a package folder that is missing, on a machine whose NuGet cache holds
    /// the kit already: NuGet takes the cached copy without a word, so the first cell warns that it cannot be checked
    /// and says what to run. (With an empty cache the kernel itself fails: NU1301, naming the folder.)
    /// </summary>
    [Fact]
    public void Given_a_missing_package_folder_and_a_cached_kit_When_the_first_cell_runs_Then_it_warns_saying_what_to_run()
    {
        var firstCell = Notebook.Read(Path.Combine(TestPaths.Repo, "source", "00-getting-started.ipynb")).Cells.First(c => c.IsCode).Source;
        using (var kernel = PolyglotKernel.Start(install, Path.Combine(TestPaths.Repo, "source")))
            Assert.True(kernel.Submit(firstCell, CellLimit).Succeeded);   // the cache now holds the kit
        using var lab = new TempDir();
        Directory.CreateDirectory(lab["notebooks"]);
        File.Copy(Path.Combine(TestPaths.Repo, "notebooks", "nuget.config"), lab["notebooks/nuget.config"]);
        using var kernelThere = PolyglotKernel.Start(install, lab["notebooks"]);
        var run = kernelThere.Submit(firstCell, CellLimit);
        Assert.True(run.Succeeded, run.Failure);
        Assert.Contains($"No AeCourse 0.1.0 package in {lab["artifacts/packages"]}", run.Stderr);
        Assert.Contains("run: dotnet pack lib/AeCourse -o artifacts/packages", run.Stderr);
    }

    /// <summary>Every picture and chart the kit shows reaches the front end with all three MIME types.</summary>
    static void AssertRichOutputs(string name, List<KernelEvent> displays)
    {
        foreach (var display in displays.Where(d => IsPicture(d) || IsChart(d) || d.Values.Keys.Contains("image/png")))
        {
            var types = display.Values.Keys.Order().ToList();
            Assert.True(types.SequenceEqual(["image/png", "text/html", "text/plain"]),
                $"{name}: a picture or chart came with {string.Join(", ", types)}; expected image/png, text/html and text/plain");
            Assert.True(Convert.TryFromBase64String(display.Values["image/png"], new byte[display.Values["image/png"].Length], out var size) && size > 8,
                $"{name}: image/png is not base64 PNG data");
        }
    }

    /// <summary>
    /// The trainer's progress is displayed once and then updated under the same display id; an update never names a
    /// display the kernel did not announce (VS Code would add a second output for it).
    /// </summary>
    static void AssertProgressUpdatesInPlace(string name, List<KernelCell> runs)
    {
        foreach (var run in runs)
        {
            var announced = run.Events.Where(e => e.Type == "DisplayedValueProduced").Select(e => e.ValueId).ToHashSet();
            foreach (var update in run.Events.Where(e => e.Type == "DisplayedValueUpdated"))
                Assert.True(announced.Contains(update.ValueId), $"{name}, code cell {run.Index + 1}: an update names display {update.ValueId}, which was never announced");
        }
        var progress = runs.SelectMany(r => r.Events).Where(e => e.Type == "DisplayedValueProduced" && IsProgress(e)).ToList();
        Assert.True(progress.Count > 0, $"{name}: no training progress was displayed");
        var updates = runs.SelectMany(r => r.Events).Where(e => e.Type == "DisplayedValueUpdated").GroupBy(e => e.ValueId).ToDictionary(g => g.Key!, g => g.ToList());
        Assert.Contains(progress, p => updates.TryGetValue(p.ValueId!, out var u) && u.Count >= 2 && IsProgress(u[^1]));
    }

    static bool IsPicture(KernelEvent e) => e.Values.TryGetValue("text/html", out var html) && html.StartsWith("<img src=\"data:image/png", StringComparison.Ordinal);

    static bool IsChart(KernelEvent e) => e.Values.TryGetValue("text/html", out var html) && html.Contains("Plotly.newPlot", StringComparison.Ordinal);

    static bool IsProgress(KernelEvent e) => e.Values.TryGetValue("text/html", out var html) && html.StartsWith("<div class=\"aecourse-progress\">", StringComparison.Ordinal);

    [System.Text.RegularExpressions.GeneratedRegex("""throw new NotImplementedException\("((?:[^"\\]|\\.)*)"\)""")]
    private static partial System.Text.RegularExpressions.Regex StubHint();
}
