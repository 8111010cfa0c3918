using System.Text.Json.Nodes;
using AeCourse.Notebooks.Format;
using AeCourse.Notebooks.Grading;
using AeCourse.Tests.Support;

namespace AeCourse.Tests;

/// <summary>
/// A lecture's exercises through the grader, as an instructor grades them: the students' copy from notebooks/ with only
/// its first exercise answered scores exactly that exercise's points, every other exercise, left as its stub, scores
/// zero with the stub's NotImplementedException, and no cell outside the exercises fails. One lecture, the β-VAE (two
/// exercises, a training, 14 s at one epoch): a grading run per lecture would run each lecture a second time through
/// the grader. For every lecture, the release refuses a source whose cells outside the exercises use what an exercise
/// makes (<see cref="AnswerDependencies"/>; the committed copies are released, <see cref="ReleaseTests"/>), the
/// sources' full points are checked by <see cref="LectureTests"/>, whose quick runs grade each source against itself,
/// and each stub's exception and hint by <see cref="PolyglotKernelTests"/>.
/// </summary>
public sealed class LectureGradingTests : IDisposable
{
    readonly TempDir _dir = new();
    readonly string _data;

    public LectureGradingTests() => _data = TestPaths.CopyEmbeddedData(_dir["data"]);

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("06-beta-vae.ipynb")]
    public void Given_a_lectures_students_copy_with_its_first_exercise_answered_When_graded_Then_exactly_that_exercise_scores_and_the_stubs_score_zero(string name)
    {
        var source = Notebook.Read(Path.Combine(TestPaths.Repo, "source", name));
        var released = Notebook.Read(Path.Combine(TestPaths.Repo, "notebooks", name));
        var markup = GradedCell.ReadAll(source);
        var answers = markup.Where(m => m.Role == CellRole.Answer).ToList();
        Assert.True(answers.Count >= 2, $"{name}: the test needs a second exercise left as its stub");
        int first = answers[0].Index, next = answers[1].Index;
        var firstTests = markup.Where(m => m.Role == CellRole.Test && m.Index > first && m.Index < next).ToList();

        // The partly correct submission: the students' copy with the first answer cell as the solution has it.
        var partial = released.Clone();
        partial.Cells[first].Source = source.Cells[first].Source;
        var submission = _dir[name];
        partial.Write(submission);

        // One epoch where the lecture declares epochs: the checks compare answers with the model's own state, so they
        // hold after any amount of training, and the submission grades in a third of the time.
        bool hasEpochs = source.Cells.Any(c => c.Tags.Contains("parameters") && c.Source.Contains("int epochs"));
        string[] epochs = hasEpochs ? ["-p", "epochs=1"] : [];
        var report = _dir[name + ".json"];
        var result = AeCourseCommand.Run(["--data", _data, "grade", submission, "--source", Path.Combine(TestPaths.Repo, "source", name),
            "--quick", .. epochs, "--cell-timeout", "900", "--timeout", "1800", "--json", report]);
        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);

        var graded = JsonNode.Parse(File.ReadAllText(report))!.AsObject();
        Assert.Equal(markup.Where(m => m.Role == CellRole.Test).Sum(m => m.Points), graded["possible"]!.GetValue<double>());
        var tests = graded["tests"]!.AsArray().Select(t => t!.AsObject()).ToList();
        Assert.Equal(firstTests.Select(t => t.GradeId), tests.Where(t => t["passed"]!.GetValue<bool>()).Select(t => t["gradeId"]!.GetValue<string>()));
        Assert.Equal(firstTests.Sum(t => t.Points), graded["earned"]!.GetValue<double>());
        foreach (var stubbed in tests.Where(t => !firstTests.Any(f => f.GradeId == t["gradeId"]!.GetValue<string>())))
            Assert.Contains("NotImplementedException", stubbed["message"]!.GetValue<string>());
        var failedCells = graded["notes"]!.AsArray().Select(n => n!.GetValue<string>()).Where(n => n.StartsWith("cell ", StringComparison.Ordinal)).ToList();
        Assert.True(failedCells.Count == 0, $"{name}: cells outside the exercises failed in the students' copy: {string.Join("; ", failedCells)}");
    }
}
