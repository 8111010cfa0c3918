using System.Text.Json.Nodes;
using AeCourse.Notebooks.Format;
using AeCourse.Notebooks.Grading;
using AeCourse.Tests.Support;

namespace AeCourse.Tests;

/// <summary>
/// Every lecture's exercises through the grader, as an instructor grades them: the students' copy in notebooks/ (every
/// answer a stub) scores zero and the grader finishes; a copy with only its first exercise answered scores exactly that
/// exercise's points. The sources' full points are checked by <see cref="LectureTests"/>, whose quick runs grade each
/// source against itself.
/// </summary>
public sealed class LectureGradingTests : IDisposable
{
    readonly TempDir _dir = new();
    readonly string _data;

    public LectureGradingTests() => _data = TestPaths.CopyEmbeddedData(_dir["data"]);

    public void Dispose() => _dir.Dispose();

    public static TheoryData<string> LectureNames() => new(LectureTests.Lectures);

    [Theory]
    [MemberData(nameof(LectureNames))]
    public void Given_a_lectures_students_copy_and_one_with_its_first_exercise_answered_When_graded_Then_zero_and_exactly_that_exercise(string name)
    {
        var source = Notebook.Read(Path.Combine(TestPaths.Repo, "source", name));
        var released = Notebook.Read(Path.Combine(TestPaths.Repo, "notebooks", name));
        var markup = GradedCell.ReadAll(source);
        var answers = markup.Where(m => m.Role == CellRole.Answer).ToList();
        int first = answers[0].Index, next = answers.Count > 1 ? answers[1].Index : int.MaxValue;
        var firstTests = markup.Where(m => m.Role == CellRole.Test && m.Index > first && m.Index < next).ToList();

        // The partly correct submission: the students' copy with the first answer cell as the solution has it.
        var partial = released.Clone();
        partial.Cells[first].Source = source.Cells[first].Source;
        var submissions = _dir["submissions"];
        foreach (var student in new[] { "stubs", "partial" }) Directory.CreateDirectory(Path.Combine(submissions, student));
        File.Copy(released.Path, Path.Combine(submissions, "stubs", name));
        partial.Write(Path.Combine(submissions, "partial", name));

        // One epoch where the lecture declares epochs: the checks compare answers with the model's own state, so they
        // hold after any amount of training, and the two submissions grade in a third of the time.
        bool hasEpochs = source.Cells.Any(c => c.Tags.Contains("parameters") && c.Source.Contains("int epochs"));
        string[] epochs = hasEpochs ? ["-p", "epochs=1"] : [];
        var summary = _dir["grades"];
        var result = AeCourseCommand.Run(["--data", _data, "grade", submissions, "--source", Path.Combine(TestPaths.Repo, "source"),
            "--quick", .. epochs, "--jobs", "2", "--cell-timeout", "900", "--timeout", "1800", "--summary", summary]);
        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);

        var reports = JsonNode.Parse(File.ReadAllText(summary + ".json"))!["submissions"]!.AsArray()
            .ToDictionary(s => s!["student"]!.GetValue<string>(), s => s!["report"]!.AsObject());
        double possible = markup.Where(m => m.Role == CellRole.Test).Sum(m => m.Points);

        var stubs = reports["stubs"];
        Assert.Equal(possible, stubs["possible"]!.GetValue<double>());
        Assert.True(stubs["earned"]!.GetValue<double>() == 0, $"{name}, the students' copy: {stubs.ToJsonString()}");
        Assert.All(stubs["tests"]!.AsArray(), t => Assert.Contains("NotImplementedException", t!["message"]!.GetValue<string>()));

        var part = reports["partial"];
        var passed = part["tests"]!.AsArray().Where(t => t!["passed"]!.GetValue<bool>()).Select(t => t!["gradeId"]!.GetValue<string>());
        Assert.Equal(firstTests.Select(t => t.GradeId), passed);
        Assert.Equal(firstTests.Sum(t => t.Points), part["earned"]!.GetValue<double>());
    }
}
