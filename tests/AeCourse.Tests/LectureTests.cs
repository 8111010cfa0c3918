using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AeCourse.Tests.Support;
using static AeCourse.Tests.Support.NotebookCorpus;

namespace AeCourse.Tests;

/// <summary>
/// The lecture notebooks, read from their instructor sources under source/ (they hold the solutions; the students'
/// copies in notebooks/ throw in every exercise by design): their shape (goals first, summary and reading last, short
/// cells with a sentence before each, 2–4 graded exercises each checked right after), and a quick run of each through
/// the grader on the embedded data — every cell runs, the solutions earn every point — holding it to the claims its
/// text makes.
/// </summary>
public sealed partial class LectureTests : IDisposable
{
    /// <summary>Every lecture, in order; a notebook added without its test here fails <see cref="Every_lecture_in_the_folder_is_tested"/>.</summary>
    internal static readonly string[] Lectures = ["00-getting-started.ipynb", "01-autoencoder.ipynb", "02-conv-autoencoder.ipynb", "03-pretraining.ipynb", "04-denoising.ipynb", "05-vae.ipynb", "06-beta-vae.ipynb", "07-gan-preview.ipynb", "08-self-supervised.ipynb"];

    readonly TempDir _dir = new();
    readonly string _data;

    public LectureTests() => _data = TestPaths.CopyEmbeddedData(_dir["data"]);

    public void Dispose() => _dir.Dispose();

    static string PathOf(string name) => Path.Combine(TestPaths.Repo, "source", name);

    static List<JsonObject> Cells(JsonObject notebook) => notebook["cells"]!.AsArray().Select(c => c!.AsObject()).ToList();

    static string Source(JsonObject cell) => string.Concat(cell["source"]!.AsArray().Select(l => l!.GetValue<string>()));

    static JsonObject? Grading(JsonObject cell) => cell["metadata"]?["nbgrader"]?.AsObject();

    /// <summary>
    /// Runs a lecture quickly on the embedded data through the grader, graded against itself: every cell runs without
    /// an error, every check gives its points (the source holds the solutions), and the executed notebook is valid
    /// nbformat and shows at least one image. The limits are generous: this is about the lecture, not the sandbox.
    /// </summary>
    List<JsonObject> RunQuick(string name)
    {
        var executed = _dir[name];
        var report = _dir[name + ".json"];
        var result = AeCourseCommand.Run("--data", _data, "grade", PathOf(name), "--source", PathOf(name), "--quick",
            "--cell-timeout", "900", "--timeout", "1800", "--executed", executed, "--json", report);
        Assert.True(result.ExitCode == 0, $"{name}: {result.Stdout}{result.Stderr}");
        var graded = JsonNode.Parse(File.ReadAllText(report))!.AsObject();
        Assert.True(graded["earned"]!.GetValue<double>() == graded["possible"]!.GetValue<double>() && graded["notes"]!.AsArray().Count == 0,
            $"{name}: the solutions should earn every point\n{result.Stdout}");
        Assert.Null(ValidateWithNbformat(executed));
        var cells = CodeCells(JsonNode.Parse(File.ReadAllText(executed))!.AsObject());
        var errors = cells.SelectMany(Outputs).Where(o => o["output_type"]!.GetValue<string>() == "error").ToList();
        Assert.True(errors.Count == 0, $"{name}: {string.Join("\n", errors.Select(e => e["evalue"]))}");
        Assert.Contains(cells.SelectMany(Outputs), o => o["data"]?["image/png"] is not null);
        return cells;
    }

    /// <summary>All stdout of the executed cells, in order.</summary>
    static string Stdout(List<JsonObject> cells) => string.Concat(cells.Select(c => Stream(c, "stdout")));

    static double Number(string text, string pattern) =>
        double.Parse(Regex.Match(text, pattern).Groups[1].Value, CultureInfo.InvariantCulture);

    [Fact]
    public void Every_lecture_in_the_folder_is_tested()
    {
        // Each lecture has its instructor source and its students' copy, released from it (see ReleaseTests).
        foreach (var folder in new[] { "source", "notebooks" })
        {
            var present = Directory.GetFiles(Path.Combine(TestPaths.Repo, folder), "*.ipynb").Select(Path.GetFileName).Order().ToList();
            Assert.True(Lectures.Order().SequenceEqual(present),
                $"{folder}/ holds {string.Join(", ", present)}; expected {string.Join(", ", Lectures)} (write a lecture in source/, release it to notebooks/)");
        }
    }

    [Theory]
    [MemberData(nameof(LectureNames))]
    public void Given_a_lecture_When_read_Then_it_has_the_course_shape(string name)
    {
        var notebook = JsonNode.Parse(File.ReadAllText(PathOf(name)))!.AsObject();
        var cells = Cells(notebook);
        // nbformat 4.5 gave cells ids, and requires them from then on; before it a cell has none.
        var ids = cells.Select(c => c["id"]?.GetValue<string>()).ToList();
        if (notebook["nbformat_minor"]!.GetValue<int>() >= 5)
        {
            Assert.All(ids, id => Assert.Matches("^[a-zA-Z0-9_-]{1,64}$", id ?? ""));
            Assert.Equal(ids.Count, ids.Distinct().Count());
        }
        else Assert.True(ids.All(id => id is null), $"{name}: nbformat 4.{notebook["nbformat_minor"]} has no cell ids, but its cells have some");
        Assert.Equal("markdown", cells[0]["cell_type"]!.GetValue<string>());
        Assert.Contains("you will", Source(cells[0]));
        var last = Source(cells[^1]);
        Assert.Contains("## Summary", last);
        Assert.Contains("## Further reading", last);

        var code = cells.Where(c => c["cell_type"]!.GetValue<string>() == "code").ToList();
        Assert.Contains("Setup.Initialize(", Source(code[0]));   // the first code cell is the set-up
        Assert.Single(code, c => c["metadata"]?["tags"]?.AsArray().Any(t => t!.GetValue<string>() == "parameters") == true);
        for (int i = 0; i < cells.Count; i++)
        {
            if (cells[i]["cell_type"]!.GetValue<string>() != "code") continue;
            int lines = Source(cells[i]).Split('\n').Length;
            Assert.True(lines <= 20, $"{name}, cell {i}: {lines} lines; keep cells short (about 15 lines)");
            bool isCheck = Grading(cells[i])?["grade"]?.GetValue<bool>() == true;
            if (isCheck)
                Assert.True(Grading(cells[i - 1])?["solution"]?.GetValue<bool>() == true, $"{name}, cell {i}: a check must follow its exercise directly");
            else
                Assert.True(cells[i - 1]["cell_type"]!.GetValue<string>() == "markdown", $"{name}, cell {i}: say in a sentence before the cell what it does");
        }

        var exercises = cells.Where(c => Grading(c)?["solution"]?.GetValue<bool>() == true).ToList();
        Assert.InRange(exercises.Count, 2, 4);
        Assert.All(exercises, e => Assert.Contains("// BEGIN SOLUTION", Source(e)));
        Assert.All(exercises, e => Assert.Equal(3, Grading(e)!["schema_version"]!.GetValue<int>()));
    }

    public static TheoryData<string> LectureNames() => new(Lectures);

    [Fact]
    public void Given_a_folder_of_lectures_When_rendered_with_one_command_Then_each_has_its_executed_copy_page_and_index_entry()
    {
        var folder = Directory.CreateDirectory(_dir["lectures"]).FullName;
        File.Copy(PathOf("00-getting-started.ipynb"), Path.Combine(folder, "00-getting-started.ipynb"));
        var output = _dir["rendered"];
        var result = AeCourseCommand.Run("--data", _data, "lectures", folder, "--out", output, "--quick");

        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        Assert.Null(ValidateWithNbformat(Path.Combine(output, "00-getting-started.ipynb")));
        var page = File.ReadAllText(Path.Combine(output, "00-getting-started.html"));
        Assert.Contains("<img", page);                                   // the executed outputs are in the page
        Assert.Contains("500 images per class", page);
        var index = System.Net.WebUtility.HtmlDecode(File.ReadAllText(Path.Combine(output, "index.html")));
        Assert.Contains("<a href=\"00-getting-started.html\">00 · Getting started</a> — ran in", index);
        Assert.Contains("quick mode", index);
    }
}
