using System.Diagnostics;
using System.Text.Json.Nodes;
using AeCourse.Notebooks.Execution;
using AeCourse.Notebooks.Format;
using AeCourse.Tests.Support;
using Xunit.Abstractions;

namespace AeCourse.Tests.Jupyter;

/// <summary>The kit's kernel, registered once for the class in a private Jupyter folder.</summary>
public sealed class KitKernelInstall : IDisposable
{
    readonly TempDir _dir = new();

    public KitKernelInstall()
    {
        var install = AeCourseCommand.Run("kernel", "install", "--path", _dir["jupyter/kernels"]);
        if (install.ExitCode != 0) throw new InvalidOperationException($"aecourse kernel install failed: {install.Stderr}");
        Environment = new Dictionary<string, string> { ["JUPYTER_PATH"] = _dir["jupyter"], ["JUPYTER_DATA_DIR"] = _dir["data"] };
    }

    /// <summary>What makes Jupyter find the kernelspec (and keep its files out of the user's folder).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; }

    public void Dispose() => _dir.Dispose();
}

/// <summary>
/// Every lecture, unchanged, run cell by cell in the kit's own Jupyter kernel by Debian's nbclient — the kernel the
/// lectures' kernelspec name (.net-csharp) selects once <c>aecourse kernel install</c> has run. Quick mode, in the
/// instructor's folder as a lecturer runs it. Each lecture runs once here; the run serves every check on this path: no
/// cell fails or writes to stderr, the file passes nbformat's validator, pictures and charts carry image/png, text/html
/// and text/plain, and a training's progress, updated in place, is saved in its final state.
/// </summary>
public sealed class KitKernelLectureTests(KitKernelInstall kernel, ITestOutputHelper log) : IClassFixture<KitKernelInstall>
{
    public static TheoryData<string> LectureNames() => new(LectureTests.Lectures);

    [Theory]
    [MemberData(nameof(LectureNames))]
    public void Given_a_lecture_When_nbclient_runs_it_on_the_kits_kernel_Then_every_cell_runs_with_pictures_charts_and_progress(string name)
    {
        using var dir = new TempDir();
        var notebook = Notebook.Read(Path.Combine(TestPaths.Repo, "source", name));
        Assert.Equal(".net-csharp", notebook.Metadata["kernelspec"]?["name"]?.GetValue<string>());   // what picks the kernel
        Parameters.Inject(notebook, new Dictionary<string, string> { ["quick"] = "true" });
        notebook.Write(dir["in.ipynb"]);

        var clock = Stopwatch.StartNew();
        var failure = Nbclient.Execute(dir["in.ipynb"], Path.Combine(TestPaths.Repo, "source"), dir["out.ipynb"], kernel.Environment);
        log.WriteLine($"{name}: {clock.Elapsed.TotalSeconds:F1} s through nbclient and the kit's kernel");
        Assert.Null(failure);
        Assert.Null(NotebookCorpus.ValidateWithNbformat(dir["out.ipynb"]));

        var executed = JsonNode.Parse(File.ReadAllText(dir["out.ipynb"]))!.AsObject();
        Assert.Equal("C#", executed["metadata"]!["language_info"]!["name"]!.GetValue<string>());   // nbclient records the kernel's reply
        var cells = NotebookCorpus.CodeCells(executed);
        foreach (var (cell, index) in cells.Select((c, i) => (c, i + 1)))
        {
            var outputs = NotebookCorpus.Outputs(cell);
            Assert.True(outputs.All(o => o["output_type"]!.GetValue<string>() != "error"), $"{name}, code cell {index} failed: {string.Join("\n", outputs.Select(o => o.ToJsonString()))}");
            Assert.True(NotebookCorpus.Stream(cell, "stderr").Length == 0, $"{name}, code cell {index} wrote to stderr: {NotebookCorpus.Stream(cell, "stderr")}");
        }
        var displays = cells.SelectMany(NotebookCorpus.Outputs).Where(o => o["data"] is JsonObject).Select(o => o["data"]!.AsObject()).ToList();
        Assert.Contains(displays, d => Html(d).StartsWith("<img src=\"data:image/png", StringComparison.Ordinal));
        foreach (var rich in displays.Where(d => d.ContainsKey("image/png")))
            Assert.Equal(["image/png", "text/html", "text/plain"], rich.Select(p => p.Key).Order());
        if (name == "00-getting-started.ipynb") return;
        Assert.Contains(displays, d => Html(d).Contains("Plotly.newPlot", StringComparison.Ordinal));
        // nbclient applied the kernel's update_display_data to the one output each progress display is: it holds the
        // training's last state, an epoch's end (mid-epoch states name their batch).
        var progress = displays.Where(d => Html(d).StartsWith("<div class=\"aecourse-progress\">", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(progress);
        Assert.All(progress, p => Assert.DoesNotContain(" batch ", Text(p["text/plain"]!)));
    }

    static string Html(JsonObject data) => data["text/html"] is { } html ? Text(html) : "";

    /// <summary>A MIME value as nbformat stores it: a string, or a list of lines.</summary>
    static string Text(JsonNode value) => value is JsonArray lines ? string.Concat(lines.Select(l => l!.GetValue<string>())) : value.GetValue<string>();
}
