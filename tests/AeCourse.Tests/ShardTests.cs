using System.Text.Json.Nodes;
using AeCourse.Notebooks.Grading;
using AeCourse.Tests.Support;

namespace AeCourse.Tests;

/// <summary>
/// Grading a class in parts: <c>aecourse grade DIR --shard K/N</c> grades the submissions that <see cref="Shard"/> puts
/// in part K, and <c>aecourse grade merge</c> joins the parts into the summary an unsharded run writes.
/// </summary>
public sealed class ShardTests
{
    [Theory]
    [InlineData("1/1", 1, 1)]
    [InlineData("2/8", 2, 8)]
    [InlineData("8/8", 8, 8)]
    public void Given_K_of_N_When_parsed_Then_it_is_that_shard(string text, int index, int count)
    {
        var shard = Shard.Parse(text);
        Assert.Equal((index, count), (shard.Index, shard.Count));
        Assert.Equal(text, shard.ToString());
    }

    [Theory]
    [InlineData("3", "is not K/N")]
    [InlineData("a/b", "is not K/N")]
    [InlineData(" 1/2", "is not K/N")]
    [InlineData("-1/2", "is not K/N")]
    [InlineData("1/2/3", "is not K/N")]
    [InlineData("0/4", "shards of 4 are numbered 1 to 4")]
    [InlineData("5/4", "shards of 4 are numbered 1 to 4")]
    [InlineData("1/0", "split into 1 to 10000 shards")]
    [InlineData("1/10001", "split into 1 to 10000 shards")]
    public void Given_a_bad_shard_When_parsed_Then_the_message_names_it_and_what_is_wrong(string text, string why)
    {
        var e = Assert.Throws<FormatException>(() => Shard.Parse(text));
        Assert.Contains($"'{text}'", e.Message);
        Assert.Contains(why, e.Message);
    }

    /// <summary>
    /// The shard of a path is the first 8 bytes of its UTF-8 SHA-256, big-endian, modulo N, plus 1: Python's hashlib
    /// computes the same independently, so any machine (or a script of the instructor's) can tell where a submission goes.
    /// </summary>
    [Fact]
    public void Given_submission_paths_When_assigned_Then_python_hashlib_puts_each_in_the_same_shard()
    {
        var paths = Class(40, 3).Concat(["flat.ipynb", "ünïcödé/01.ipynb", "a b/c d/e.ipynb"]).ToList();
        int[] counts = [1, 2, 3, 7, 16];
        const string script = """
            import hashlib, sys
            for line in sys.stdin.read().splitlines():
                count, path = line.split(" ", 1)
                print(int.from_bytes(hashlib.sha256(path.encode("utf-8")).digest()[:8], "big") % int(count) + 1)
            """;
        var input = string.Concat(counts.SelectMany(n => paths.Select(p => $"{n} {p}\n")));
        using var dir = new TempDir();
        File.WriteAllText(dir["shard.py"], script);
        File.WriteAllText(dir["paths.txt"], input);
        var run = NpmTools.Run("/bin/sh", dir.Path, TimeSpan.FromMinutes(1), ["-c", "python3 shard.py < paths.txt"]);
        Assert.True(run.ExitCode == 0, run.ToString());
        var expected = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToList();
        Assert.Equal(expected, counts.SelectMany(n => paths.Select(p => Shard.Of(p, n))).ToList());
        // Windows separators name the same submission.
        Assert.Equal(Shard.Of("alice/01.ipynb", 7), Shard.Of(@"alice\01.ipynb", 7));
    }

    /// <summary>
    /// 300 students × 8 lectures: every submission is in exactly one shard, and the shards are about equal. For a
    /// uniform hash a shard's size is binomial (mean m = 2400/N, sd √(m(1 − 1/N))); 4 sd bounds it. The names are fixed,
    /// so the outcome is too: this cannot flake, and a hash that clumped would fail it.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(8)]
    [InlineData(16)]
    public void Given_a_class_When_split_into_N_shards_Then_every_submission_is_in_exactly_one_and_the_parts_are_even(int count)
    {
        var paths = Class(300, 8);
        foreach (var path in paths)
            Assert.Equal(1, Enumerable.Range(1, count).Count(k => new Shard(k, count).Contains(path)));
        double mean = paths.Count / (double)count, sd = Math.Sqrt(mean * (1 - 1.0 / count));
        foreach (var size in Enumerable.Range(1, count).Select(k => paths.Count(p => new Shard(k, count).Contains(p))))
            Assert.InRange(size, mean - 4 * sd, mean + 4 * sd);
    }

    static List<string> Class(int students, int lectures) =>
        [.. Enumerable.Range(1, students).SelectMany(s => Enumerable.Range(1, lectures).Select(l => $"student-{s:000}/0{l}-lecture.ipynb"))];

    // ---- merge: parts that do not make one class are refused, naming the files ----

    static string Part(int index, int count, int classSubmissions, params string[] students) => new JsonObject
    {
        ["shard"] = new JsonObject { ["index"] = index, ["count"] = count, ["classSubmissions"] = classSubmissions },
        ["submissions"] = new JsonArray(students.Select(s => (JsonNode)new JsonObject
        {
            ["student"] = s, ["notebook"] = "01.ipynb",
            ["report"] = new JsonObject
            {
                ["submission"] = $"/class/{s}/01.ipynb", ["source"] = "/source/01.ipynb", ["tests"] = new JsonArray(),
                ["earned"] = 0, ["possible"] = 0, ["elapsedSeconds"] = 1.5, ["notes"] = new JsonArray(), ["error"] = null,
            },
        }).ToArray()),
    }.ToJsonString();

    [Fact]
    public void Given_parts_that_make_one_class_When_merged_Then_the_submissions_are_joined_in_order()
    {
        var batch = GradeBatch.Merge([("b.json", Part(2, 2, 3, "carol", "alice")), ("a.json", Part(1, 2, 3, "bob"))]);
        Assert.Equal(["alice", "bob", "carol"], batch.Entries.Select(e => e.Student));
        Assert.Null(batch.Part);
        Assert.DoesNotContain("shard", batch.ToJson());
    }

    public static TheoryData<string, (string, string)[], string> BadParts => new()
    {
        { "a shard missing", [("p1.json", Part(1, 3, 2, "alice")), ("p3.json", Part(3, 3, 2, "bob"))], "shard 2/3 missing: merge all 3 parts" },
        { "a shard twice", [("p1.json", Part(1, 2, 1, "alice")), ("again.json", Part(1, 2, 1)), ("p2.json", Part(2, 2, 1))], "shard 1/2 is given twice: p1.json, again.json" },
        { "splits of different N", [("p1.json", Part(1, 2, 1, "alice")), ("q2.json", Part(2, 3, 1))], "q2.json is shard 2/3 but p1.json is 1/2" },
        { "different copies of the class", [("p1.json", Part(1, 2, 2, "alice")), ("p2.json", Part(2, 2, 3, "bob"))], "p2.json saw 3 submissions in the class but p1.json saw 2" },
        { "a submission in two parts", [("p1.json", Part(1, 2, 2, "alice")), ("p2.json", Part(2, 2, 2, "alice"))], "alice/01.ipynb is in both p1.json and p2.json" },
        { "a submission lost", [("p1.json", Part(1, 2, 3, "alice")), ("p2.json", Part(2, 2, 3, "bob"))], "the parts hold 2 submissions but the class had 3" },
        { "a whole class's summary", [("grades.json", """{"submissions": []}""")], "grades.json: the summary of a whole class, not of a shard" },
        { "not a summary", [("notes.json", """{"hello": 1}""")], "notes.json: not a grading summary" },
        { "not JSON", [("grades.csv", "student,notebook\n")], "grades.csv: not a grading summary" },
        { "a shard out of range", [("p9.json", Part(9, 2, 0))], "p9.json: shard 9/2 is not a shard" },
    };

    [Theory]
    [MemberData(nameof(BadParts))]
    public void Given_parts_that_do_not_make_one_class_When_merged_Then_it_is_refused_naming_the_files(string what, (string, string)[] parts, string message)
    {
        var e = Assert.Throws<GradingInputException>(() => GradeBatch.Merge(parts));
        Assert.True(e.Message.Contains(message, StringComparison.Ordinal), $"{what}: {e.Message}");
    }

    [Fact]
    public void Given_bad_shard_input_at_the_command_When_run_Then_exit_2_with_the_reason()
    {
        using var dir = new TempDir();
        GraderTests.WriteSubmission(dir["alice.ipynb"], GraderTests.Cases[0].Answers);
        var one = AeCourseCommand.Run("grade", dir["alice.ipynb"], "--source", GraderTests.SourcePath, "--shard", "1/2");
        Assert.Equal(2, one.ExitCode);
        Assert.Contains("one submission: --shard K/N splits a folder", one.Stderr);
        var bad = AeCourseCommand.Run("grade", dir.Path, "--source", GraderTests.SourcePath, "--shard", "3/2");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--shard: shard '3/2': shards of 2 are numbered 1 to 2", bad.Stderr);
        File.WriteAllText(dir["p1.json"], Part(1, 2, 1, "alice"));
        var merge = AeCourseCommand.Run("grade", "merge", dir["p1.json"], "--summary", dir["grades"]);
        Assert.Equal(2, merge.ExitCode);
        Assert.Contains("shard 2/2 missing", merge.Stderr);
        Assert.False(File.Exists(dir["grades.csv"]));
        var unreadable = AeCourseCommand.Run("grade", "merge", dir["nowhere.json"]);
        Assert.Equal(2, unreadable.ExitCode);
        Assert.Contains("nowhere.json: cannot read it", unreadable.Stderr);
    }

    /// <summary>
    /// A small class graded once whole and once as five shards (in the sandbox, as on a cluster), each shard its own
    /// process writing feedback into one shared folder: the merged CSV is the unsharded one byte for byte, and the JSON
    /// too once each report's wall time (which no two runs share) is set aside. Five shards of five submissions leave at
    /// least one shard empty, whose part the merge still needs.
    /// </summary>
    [Fact]
    public void Given_a_class_graded_in_five_shards_When_merged_Then_grades_and_feedback_are_those_of_one_run()
    {
        using var dir = new TempDir();
        var names = new[] { "correct", "stubbed", "partial" };
        foreach (var (name, answers) in GraderTests.Cases.Where(c => names.Contains(c.Name)))
            GraderTests.WriteSubmission(dir[Path.Combine("class", name, "01.ipynb")], answers);
        GraderTests.WriteSubmission(dir[Path.Combine("class", "correct", "02.ipynb")], GraderTests.Cases[0].Answers);
        Directory.CreateDirectory(dir[Path.Combine("class", "not-json")]);
        File.WriteAllText(dir[Path.Combine("class", "not-json", "01.ipynb")], "this is not a notebook");
        var source = dir["source"];
        Directory.CreateDirectory(source);
        File.Copy(GraderTests.SourcePath, Path.Combine(source, "01.ipynb"));
        File.Copy(GraderTests.SourcePath, Path.Combine(source, "02.ipynb"));

        string[] Grade(params string[] more) =>
            ["grade", dir["class"], "--source", source, "--jobs", "2", "--cell-timeout", "60", "--memory", $"{GradedClass.MemoryMb}", .. more];
        var whole = AeCourseCommand.Run(Grade("--summary", dir["whole"], "--feedback", dir["feedback-whole"]));
        Assert.True(whole.ExitCode == 0, whole.Stderr);
        const int count = 5;
        var parts = new List<string>();
        for (int k = 1; k <= count; k++)
        {
            var run = AeCourseCommand.Run(Grade("--shard", $"{k}/{count}", "--feedback", dir["feedback-shards"]));
            Assert.True(run.ExitCode == 0, run.Stderr);
            parts.Add(dir[Path.Combine("class", $"grades-{k}-of-{count}.json")]);
            Assert.True(File.Exists(parts[^1]), $"shard {k} wrote no part: {run.Stdout}");
        }
        Assert.Contains(parts, p => JsonNode.Parse(File.ReadAllText(p))!["submissions"]!.AsArray().Count == 0);

        var merged = AeCourseCommand.Run(["grade", "merge", .. parts, "--summary", dir["merged"]]);
        Assert.True(merged.ExitCode == 0, merged.Stderr);
        Assert.Contains("merged 5 shard(s), 5 submission(s)", merged.Stdout);
        Assert.Equal(File.ReadAllText(dir["whole.csv"]), File.ReadAllText(dir["merged.csv"]));
        Assert.Equal(WithoutWallTime(File.ReadAllText(dir["whole.json"])), WithoutWallTime(File.ReadAllText(dir["merged.json"])));
        Assert.Contains("correct,01.ipynb,4,4,1,2,1,", File.ReadAllText(dir["merged.csv"]));

        static string[] Files(string folder) => [.. Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(folder, f)).Order()];
        Assert.Equal(Files(dir["feedback-whole"]), Files(dir["feedback-shards"]));
        Assert.Equal(4, Files(dir["feedback-whole"]).Length);   // every graded notebook; the one that is not a notebook has none
    }

    static string WithoutWallTime(string json)
    {
        var summary = JsonNode.Parse(json)!;
        foreach (var s in summary["submissions"]!.AsArray()) s!["report"]!["elapsedSeconds"] = 0;
        return summary.ToJsonString();
    }
}
