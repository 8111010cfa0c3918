using System.Diagnostics;
using System.Text.Json.Nodes;
using AeCourse.Notebooks.Grading;
using AeCourse.Tests.Support;
using Xunit.Abstractions;

namespace AeCourse.Tests;

/// <summary>
/// Every submission of <see cref="GraderTests"/> graded once, in one <c>aecourse grade DIR</c> run (three at a time), as
/// an instructor grades a class: DIR/&lt;case&gt;/source.ipynb for each case, against tests/notebooks/grading/source.ipynb.
/// </summary>
public sealed class GradedClass : IDisposable
{
    /// <summary>Limits the batch runs under; small so that runaway submissions are stopped quickly.</summary>
    public const int CellTimeout = 30, Timeout = 240, MemoryMb = 1024;

    readonly TempDir _dir = new();

    public GradedClass()
    {
        foreach (var (name, answers) in GraderTests.Cases)
            GraderTests.WriteSubmission(_dir[Path.Combine(name, "source.ipynb")],
                answers);
        Directory.CreateDirectory(_dir["not-json"]);
        File.WriteAllText(_dir[Path.Combine("not-json", "source.ipynb")], "this is not a notebook");

        var clock = Stopwatch.StartNew();
        Result = AeCourseCommand.Run("grade", _dir.Path, "--source", GraderTests.SourcePath, "--jobs", "3",
            "--cell-timeout", $"{CellTimeout}", "--timeout", $"{Timeout}", "--memory", $"{MemoryMb}");
        Elapsed = clock.Elapsed;
        Folder = _dir.Path;
        Summary = File.Exists(_dir["grades.json"]) ? JsonNode.Parse(File.ReadAllText(_dir["grades.json"]))!.AsObject() : new JsonObject();
        Csv = File.Exists(_dir["grades.csv"]) ? File.ReadAllText(_dir["grades.csv"]) : "";
    }

    internal AeCourseCommand.Result Result { get; }

    /// <summary>The graded class folder; the summary is its grades.csv and grades.json.</summary>
    public string Folder { get; }

    public TimeSpan Elapsed { get; }

    public JsonObject Summary { get; }

    public string Csv { get; }

    /// <summary>The report of one case, as the JSON summary holds it.</summary>
    public JsonObject Report(string student) =>
        Summary["submissions"]?.AsArray().Select(s => s!.AsObject()).SingleOrDefault(s => s["student"]!.GetValue<string>() == student)?["report"]?.AsObject()
        ?? throw new Xunit.Sdk.XunitException($"no report for {student}; exit {Result.ExitCode}\n{Result.Stdout}\n{Result.Stderr}");

    public void Dispose() => _dir.Dispose();
}

/// <summary>
/// <c>aecourse grade</c> with real worker processes on the small source under tests/notebooks/grading: honest
/// submissions, and adversarial ones that loop, exit, overflow the stack, exhaust memory, forge results or redefine the
/// check class and the tests' variables. Each must cost only its own exercise, within its limits.
/// </summary>
public sealed class GraderTests(GradedClass graded, ITestOutputHelper output) : IClassFixture<GradedClass>
{
    internal static string SourcePath => Path.Combine(TestPaths.Repo, "tests", "notebooks", "grading", "source.ipynb");

    const string Stub = "throw new NotImplementedException();";
    /// <summary>Stands for a file path in an answer.</summary>
    const string ReplayMarker = "@MARKER@";

    /// <summary>
    /// Its first cell runs once and kills the worker when replayed after the exit in cell 9 restarts it. It keeps its
    /// memory of the first run in a file, which only an unsandboxed worker can: in the sandbox every worker starts with
    /// empty folders of its own.
    /// </summary>
    static readonly Dictionary<string, string?> ExitOnReplay = new()
    {
        ["squares"] = "int[] Squares(int n) { Environment.Exit(0); return []; }", ["doubled"] = DoubledRight,
        ["add"] = $"""
            if (System.IO.File.Exists("{ReplayMarker}")) Environment.Exit(0);
            System.IO.File.WriteAllText("{ReplayMarker}", "ran once");
            {AddRight}
            """,
    };
    const string AddRight = "int Add(int a, int b) => a + b;";
    const string SquaresRight = "int[] Squares(int n) => Enumerable.Range(0, n).Select(i => i * i).ToArray();";
    const string DoubledRight = "torch.Tensor Doubled(torch.Tensor x) => x * 2;";
    const string NoOpCheck = """
        class Check
        {
            public static void That(bool condition, string explanation) { }
            public static void Close(torch.Tensor actual, torch.Tensor expected, double tolerance, string name) { }
        }
        """;

    // The source's answers are add (test 1 point), squares (2 points), doubled (1 point); null removes the answer cell.
    internal static readonly (string Name, Dictionary<string, string?> Answers)[] Cases =
    [
        ("correct", new() { ["add"] = AddRight, ["squares"] = SquaresRight, ["doubled"] = DoubledRight }),
        ("stubbed", new() { ["add"] = $"int Add(int a, int b) {{ {Stub} }}", ["squares"] = $"int[] Squares(int n) {{ {Stub} }}", ["doubled"] = $"torch.Tensor Doubled(torch.Tensor x) {{ {Stub} }}" }),
        ("partial", new() { ["add"] = AddRight, ["squares"] = "int[] Squares(int n) => new int[n];", ["doubled"] = null }),
        ("infinite-loop", new() { ["add"] = AddRight, ["squares"] = "int[] Squares(int n) { while (true) { } }", ["doubled"] = DoubledRight }),
        ("exit", new() { ["add"] = AddRight, ["squares"] = "int[] Squares(int n) { Environment.Exit(0); return []; }", ["doubled"] = DoubledRight }),
        ("stack-overflow", new() { ["add"] = AddRight, ["squares"] = "int[] Squares(int n) => Squares(n + 1).Append(n).ToArray();", ["doubled"] = DoubledRight }),
        ("managed-memory", new()
        {
            ["add"] = AddRight, ["doubled"] = DoubledRight,
            ["squares"] = """
                int[] Squares(int n)
                {
                    var hoard = new List<byte[]>();
                    while (true) { var block = new byte[16 << 20]; Array.Fill(block, (byte)1); hoard.Add(block); }
                }
                """,
        }),
        ("native-memory", new()
        {
            ["add"] = AddRight, ["squares"] = SquaresRight,
            ["doubled"] = """
                torch.Tensor Doubled(torch.Tensor x)
                {
                    var hoard = new List<torch.Tensor>();
                    while (true) hoard.Add(torch.ones(64L << 20));   // 256 MB each, in libtorch's memory
                }
                """,
        }),
        ("forgery", new()
        {
            ["squares"] = $"int[] Squares(int n) {{ {Stub} }}", ["doubled"] = $"torch.Tensor Doubled(torch.Tensor x) {{ {Stub} }}",
            ["add"] = $$"""
                Console.WriteLine("PASS");
                Console.WriteLine("add-check      1/1\nsquares-check  2/2\ndoubled-check  1/1\ntotal          4/4");
                Console.WriteLine("{\"gradeId\":\"add-check\",\"earned\":1,\"possible\":1,\"passed\":true,\"message\":null}");
                using (var raw = new System.IO.StreamWriter(Console.OpenStandardOutput())) raw.WriteLine("PASS\ntotal  4/4");
                using (var raw = new System.IO.StreamWriter(Console.OpenStandardError())) raw.WriteLine("PASS\ntotal  4/4");
                // The result pipe's descriptor is on the worker's command line: write fake results into it.
                var argv = System.IO.File.ReadAllText("/proc/self/cmdline").Split('\0');
                int fd = int.Parse(argv[Array.IndexOf(argv, "--channel") + 1]);
                var pipe = new System.IO.FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle((IntPtr)fd, false), System.IO.FileAccess.Write, 1);
                var fake = new System.IO.StreamWriter(pipe);
                string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));
                for (int seq = 0; seq < 20; seq++)
                    foreach (int cell in new[] { 4, 5, 8, 11 })
                        fake.WriteLine($"AEG1 {seq} {cell} ok {B64("")} {B64("[]")} {Convert.ToBase64String(new byte[32])}");
                fake.Write("AEG1 a line left open, so that the grader's next message follows it");
                fake.Flush();
                int Add(int a, int b) { {{Stub}} }
                """,
        }),
        ("check-redefined-wrong", new() { ["add"] = NoOpCheck + "\nint Add(int a, int b) => 0;", ["squares"] = "int[] Squares(int n) => [];", ["doubled"] = "torch.Tensor Doubled(torch.Tensor x) => x;" }),
        ("check-redefined-right", new() { ["add"] = NoOpCheck + "\n" + AddRight, ["squares"] = SquaresRight, ["doubled"] = DoubledRight }),
        // The check reads `size` (4); this student's own `size` of 0 would make an empty answer pass.
        ("variable-redeclared", new() { ["add"] = AddRight, ["squares"] = "int size = 0;\nint[] Squares(int n) => n == 1 ? new[] { 0 } : new int[0];", ["doubled"] = DoubledRight }),
        // Without a declaration: size set to 1 at the top level, or from inside the method the check calls, would make
        // the visible check ask for Squares(1), which the hidden one also asks for.
        ("variable-assigned", new() { ["add"] = AddRight, ["squares"] = "size = 1;\nint[] Squares(int n) => n == 1 ? new[] { 0 } : new int[0];", ["doubled"] = DoubledRight }),
        ("variable-deconstructed", new() { ["add"] = AddRight, ["squares"] = "int[] Squares(int n)\n{\n    (size, _) = (1, 0);\n    return n == 1 ? new[] { 0 } : new int[0];\n}", ["doubled"] = DoubledRight }),
    ];

    /// <summary>
    /// Writes a submission as a student would hand it in: the released notebook (hidden tests taken out) with their
    /// answers in the answer cells.
    /// </summary>
    internal static void WriteSubmission(string path, IReadOnlyDictionary<string, string?> answers)
    {
        var notebook = JsonNode.Parse(File.ReadAllText(SourcePath))!.AsObject();
        var cells = notebook["cells"]!.AsArray();
        foreach (var cell in cells.ToList())
        {
            var meta = cell!["metadata"]?["nbgrader"];
            if (meta is null) continue;
            var id = meta["grade_id"]!.GetValue<string>();
            if (meta["grade"]!.GetValue<bool>())
            {
                var source = string.Concat(cell["source"]!.AsArray().Select(l => l!.GetValue<string>()));
                int hidden = source.IndexOf("// BEGIN HIDDEN TESTS", StringComparison.Ordinal);
                if (hidden >= 0) cell["source"] = source[..hidden];
            }
            else if (answers.TryGetValue(id, out var answer))
            {
                if (answer is null) cells.Remove(cell);
                else cell["source"] = answer;
            }
        }
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, notebook.ToJsonString());
    }

    void AssertPoints(string student, double add, double squares, double doubled)
    {
        var report = graded.Report(student);
        var points = report["tests"]!.AsArray().ToDictionary(t => t!["gradeId"]!.GetValue<string>(), t => t!["earned"]!.GetValue<double>());
        Assert.Equal(new Dictionary<string, double> { ["add-check"] = add, ["squares-check"] = squares, ["doubled-check"] = doubled }, points);
        Assert.Equal(add + squares + doubled, report["earned"]!.GetValue<double>());
        Assert.Equal(4, report["possible"]!.GetValue<double>());
    }

    static string? Message(JsonObject report, string gradeId) =>
        report["tests"]!.AsArray().Single(t => t!["gradeId"]!.GetValue<string>() == gradeId)!["message"]?.GetValue<string>();

    static List<string> Notes(JsonObject report) => report["notes"]!.AsArray().Select(n => n!.GetValue<string>()).ToList();

    double Seconds(string student) => graded.Report(student)["elapsedSeconds"]!.GetValue<double>();

    [Fact]
    public void Given_a_class_of_submissions_When_graded_as_a_folder_Then_the_grader_exits_0_within_its_limits()
    {
        Assert.True(graded.Result.ExitCode == 0, graded.Result.Stderr);
        // The grader's own log: per submission, its time, restarts and peak memory.
        foreach (var line in graded.Result.Stderr.Split('\n').Where(l => l.Contains("graded in", StringComparison.Ordinal))) output.WriteLine(line);
        output.WriteLine($"the whole class: {graded.Elapsed.TotalSeconds:0.0} s");
        // Every submission ran under the total limit; three at a time, the whole class takes far less than their sum.
        Assert.True(graded.Elapsed < TimeSpan.FromSeconds(GradedClass.Timeout * 2), $"took {graded.Elapsed}");
        foreach (var (name, _) in Cases) Assert.InRange(Seconds(name), 0, GradedClass.Timeout);
    }

    [Fact]
    public void Given_a_correct_submission_When_graded_Then_it_gets_every_point()
    {
        AssertPoints("correct", 1, 2, 1);
        Assert.Empty(Notes(graded.Report("correct")));
    }

    [Fact]
    public void Given_stubbed_answers_When_graded_Then_each_test_gets_0_with_the_exception_and_grading_finishes()
    {
        AssertPoints("stubbed", 0, 0, 0);
        Assert.Equal("NotImplementedException: The method or operation is not implemented.", Message(graded.Report("stubbed"), "add-check"));
    }

    [Fact]
    public void Given_a_partly_correct_submission_When_graded_Then_it_gets_exactly_its_part_and_the_missing_answer_is_named()
    {
        AssertPoints("partial", 1, 0, 0);
        var report = graded.Report("partial");
        Assert.Equal("expected Squares(4) to be [0, 1, 4, 9], got [0, 0, 0, 0].", Message(report, "squares-check"));
        Assert.Equal("answer cell doubled is missing from the submission", Message(report, "doubled-check"));
    }

    [Fact]
    public void Given_an_infinite_loop_When_graded_Then_only_its_exercise_gets_0_after_the_cell_limit()
    {
        AssertPoints("infinite-loop", 1, 0, 1);
        var report = graded.Report("infinite-loop");
        Assert.Equal($"cell 9 ran past its {GradedClass.CellTimeout} s limit", Message(report, "squares-check"));
        Assert.Contains("worker restarted after cell 9", Notes(report));
        // The cell limit, then a fresh worker's start-up and replay (slow when the class is graded three at a time on a
        // busy machine), and far less than the total limit.
        Assert.InRange(Seconds("infinite-loop"), GradedClass.CellTimeout, GradedClass.CellTimeout + 180);
    }

    [Fact]
    public void Given_environment_exit_When_graded_Then_only_its_exercise_gets_0()
    {
        AssertPoints("exit", 1, 0, 1);
        Assert.Equal("the submission exited with code 0 during cell 9", Message(graded.Report("exit"), "squares-check"));
    }

    [Fact]
    public void Given_a_cell_that_kills_the_worker_only_when_replayed_When_graded_Then_it_is_left_out_and_the_rest_is_graded()
    {
        // Cell 5 ran and its check passed; the exit in cell 9 restarted the worker, whose replay of cell 5 exited too.
        // The grader leaves cell 5 out from then on: its earned point stands, the answers after cell 9 still run.
        using var dir = new TempDir();
        WriteSubmission(dir["student.ipynb"], ExitOnReplay.ToDictionary(a => a.Key, a => a.Value?.Replace(ReplayMarker, dir["ran-once"])));
        var result = AeCourseCommand.Run("grade", dir["student.ipynb"], "--source", SourcePath, "--json", dir["report.json"], "--no-sandbox");
        Assert.True(result.ExitCode == 0, result.Stderr);
        var report = JsonNode.Parse(File.ReadAllText(dir["report.json"]))!.AsObject();
        Assert.Equal(2, report["earned"]!.GetValue<double>());
        Assert.Equal("the submission exited with code 0 during cell 9", Message(report, "squares-check"));
        Assert.Contains("the submission exited with code 0 during cell 5 while earlier cells were replayed; the cell was left out from then on", Notes(report));
        Assert.Equal(["worker restarted after cell 9", "worker restarted after cell 5"], Notes(report).Where(n => n.StartsWith("worker restarted", StringComparison.Ordinal)));
    }

    [Fact]
    public void Given_unbounded_recursion_When_graded_Then_the_stack_overflow_costs_only_its_exercise()
    {
        AssertPoints("stack-overflow", 1, 0, 1);
        Assert.Equal("stack overflow during cell 9", Message(graded.Report("stack-overflow"), "squares-check"));
    }

    [Fact]
    public void Given_a_managed_allocation_that_never_stops_When_graded_Then_the_memory_limit_costs_only_its_exercise()
    {
        AssertPoints("managed-memory", 1, 0, 1);
        // The heap limit throws OutOfMemoryException first; were it late, the resident-memory watch would kill.
        Assert.Matches("^(OutOfMemoryException: .*|cell 9 went over the 1024 MB memory limit)$", Message(graded.Report("managed-memory"), "squares-check"));
        Assert.Contains(Notes(graded.Report("managed-memory")), n => n.StartsWith("worker restarted after cell 9", StringComparison.Ordinal));
    }

    [Fact]
    public void Given_native_torch_allocations_that_never_stop_When_graded_Then_the_resident_memory_watch_stops_them()
    {
        AssertPoints("native-memory", 1, 2, 0);
        Assert.Equal($"cell 12 went over the {GradedClass.MemoryMb} MB memory limit", Message(graded.Report("native-memory"), "doubled-check"));
    }

    [Fact]
    public void Given_forged_pass_lines_reports_and_channel_messages_When_graded_Then_nothing_scores()
    {
        AssertPoints("forgery", 0, 0, 0);
        var notes = Notes(graded.Report("forgery"));
        // 80 fake messages (and the open line, which was ignored up to the genuine message after it) were rejected,
        // and the worker was never restarted: the genuine messages still got through.
        Assert.Contains("80 line(s) on the result channel were not genuine messages and were ignored", notes);
        Assert.DoesNotContain(notes, n => n.StartsWith("worker restarted", StringComparison.Ordinal));
    }

    [Fact]
    public void Given_a_no_op_check_class_and_wrong_answers_When_graded_Then_it_gets_0()
    {
        AssertPoints("check-redefined-wrong", 0, 0, 0);
        Assert.Equal("Add(2, 3) should be 5, got 0.", Message(graded.Report("check-redefined-wrong"), "add-check"));
    }

    [Fact]
    public void Given_a_no_op_check_class_and_right_answers_When_graded_Then_it_gets_every_point()
    {
        AssertPoints("check-redefined-right", 1, 2, 1);
    }

    [Fact]
    public void Given_an_answer_that_redeclares_a_variable_the_tests_read_When_graded_Then_it_gets_the_score_of_its_answers_alone()
    {
        AssertPoints("variable-redeclared", 1, 0, 1);
        Assert.Equal("expected Squares(4) to be [0, 1, 4, 9], got [].", Message(graded.Report("variable-redeclared"), "squares-check"));
    }

    [Theory]
    [InlineData("variable-assigned", "assigns size (line 1)")]
    [InlineData("variable-deconstructed", "assigns size (line 3)")]
    public void Given_an_answer_that_assigns_a_variable_the_tests_read_When_graded_Then_it_is_not_run_and_says_why(string student, string what)
    {
        AssertPoints(student, 1, 0, 1);
        Assert.Equal($"answer squares (cell 8) failed: InvalidOperationException: answer squares {what}, which the instructor's cells use; declare a variable of your own instead",
            Message(graded.Report(student), "squares-check"));
    }

    [Fact]
    public void Given_a_folder_When_graded_Then_the_csv_has_a_row_per_student_with_points_per_grade_id()
    {
        var rows = graded.Csv.TrimEnd('\n').Split('\n');
        Assert.Equal("student,notebook,earned,possible,add-check,squares-check,doubled-check,error", rows[0]);
        Assert.Contains("correct,source.ipynb,4,4,1,2,1,", rows);
        Assert.Contains("partial,source.ipynb,1,4,1,0,0,", rows);
        Assert.Contains("stubbed,source.ipynb,0,4,0,0,0,", rows);
        // A file that is not a notebook gets its row, 0 points and the error; the batch went on.
        Assert.Contains(rows, r => r.StartsWith("not-json,source.ipynb,0,4,0,0,0,", StringComparison.Ordinal) && r.Contains("not valid JSON"));
        Assert.Equal(Cases.Length + 2, rows.Length);

        var students = graded.Summary["submissions"]!.AsArray().Select(s => s!["student"]!.GetValue<string>()).ToList();
        Assert.Equal(Cases.Select(c => c.Name).Append("not-json").Order(StringComparer.Ordinal), students);
        Assert.Contains("not valid JSON", graded.Report("not-json")["error"]!.GetValue<string>());
    }

    /// <summary>
    /// The class's own summary, cut into the parts that <c>--shard K/3</c> runs would write from the same reports (each
    /// submission where <see cref="Shard"/> puts it), then joined by <c>aecourse grade merge</c>: the merged CSV and
    /// JSON are the unsharded ones, byte for byte, in any order of the parts.
    /// </summary>
    [Fact]
    public void Given_the_class_summary_cut_into_shards_When_merged_Then_it_is_the_unsharded_summary_byte_for_byte()
    {
        using var dir = new TempDir();
        const int count = 3;
        var submissions = graded.Summary["submissions"]!.AsArray().Select(s => s!.AsObject()).ToList();
        var parts = new List<string>();
        for (int k = count; k >= 1; k--)
        {
            var mine = submissions.Where(s => Shard.Of($"{s["student"]}/{s["notebook"]}", count) == k).Select(s => s.DeepClone()).ToArray();
            var part = new JsonObject
            {
                ["shard"] = new JsonObject { ["index"] = k, ["count"] = count, ["classSubmissions"] = submissions.Count },
                ["submissions"] = new JsonArray(mine),
            };
            parts.Add(dir[$"grades-{k}-of-{count}.json"]);
            File.WriteAllText(parts[^1], part.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        }
        var merged = AeCourseCommand.Run(["grade", "merge", .. parts, "--summary", dir["grades"]]);
        Assert.True(merged.ExitCode == 0, merged.Stderr);
        Assert.Equal(File.ReadAllText(Path.Combine(graded.Folder, "grades.json")), File.ReadAllText(dir["grades.json"]));
        Assert.Equal(graded.Csv, File.ReadAllText(dir["grades.csv"]));
    }

    [Fact]
    public void Given_one_submission_When_graded_with_json_and_executed_Then_the_text_json_and_feedback_agree()
    {
        using var dir = new TempDir();
        WriteSubmission(dir["student.ipynb"], Cases.Single(c => c.Name == "partial").Answers);
        var result = AeCourseCommand.Run("grade", dir["student.ipynb"], "--source", SourcePath, "--json", dir["report.json"],
            "--executed", dir["feedback.ipynb"], "-p", "size=3");
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal(
            "add-check      1/1\n" +
            "squares-check  0/2  expected Squares(3) to be [0, 1, 4], got [0, 0, 0].\n" +
            "doubled-check  0/1  answer cell doubled is missing from the submission\n" +
            "note: answer cell doubled is missing from the submission\n" +
            "total          1/4\n", result.Stdout);

        // The JSON form has exactly the documented fields.
        var report = JsonNode.Parse(File.ReadAllText(dir["report.json"]))!.AsObject();
        Assert.Equal(["submission", "source", "tests", "earned", "possible", "elapsedSeconds", "notes", "error"], report.Select(p => p.Key));
        Assert.Equal(dir["student.ipynb"], report["submission"]!.GetValue<string>());
        Assert.Equal(SourcePath, report["source"]!.GetValue<string>());
        Assert.Null(report["error"]);
        foreach (var test in report["tests"]!.AsArray())
            Assert.Equal(["gradeId", "cell", "earned", "possible", "passed", "message"], test!.AsObject().Select(p => p.Key));
        var squares = report["tests"]![1]!;
        Assert.Equal(9, squares["cell"]!.GetValue<int>() - 1);   // 1-based, after the injected parameters cell
        Assert.False(squares["passed"]!.GetValue<bool>());

        // The feedback: the source's cells with the student's answers and each cell's outputs.
        var cells = JsonNode.Parse(File.ReadAllText(dir["feedback.ipynb"]))!["cells"]!.AsArray();
        Assert.Equal(JsonNode.Parse(File.ReadAllText(SourcePath))!["cells"]!.AsArray().Count + 1, cells.Count);
        var answer = cells[8]!;
        Assert.Equal("int[] Squares(int n) => new int[n];", string.Concat(answer["source"]!.AsArray().Select(l => l!.GetValue<string>())));
        var error = cells[9]!["outputs"]!.AsArray().Single()!;
        Assert.Equal("error", error["output_type"]!.GetValue<string>());
        Assert.Equal("expected Squares(3) to be [0, 1, 4], got [0, 0, 0].", error["evalue"]!.GetValue<string>());
    }

    [Fact]
    public void Given_a_submission_that_hangs_When_the_total_limit_runs_out_Then_the_rest_is_not_run_and_the_grader_exits_0()
    {
        using var dir = new TempDir();
        var answers = new Dictionary<string, string?>(Cases.Single(c => c.Name == "correct").Answers)
        {
            // A hang that sleeps rather than spins: the limit is what is tested, not the machine's cores.
            ["squares"] = "int[] Squares(int n) { while (true) System.Threading.Thread.Sleep(100); }",
        };
        WriteSubmission(dir["student.ipynb"], answers);
        var clock = Stopwatch.StartNew();
        var result = AeCourseCommand.Run("grade", dir["student.ipynb"], "--source", SourcePath, "--json", dir["report.json"],
            "--timeout", "45", "--cell-timeout", "300");
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(45 + 30), $"took {clock.Elapsed}");
        var report = JsonNode.Parse(File.ReadAllText(dir["report.json"]))!.AsObject();
        Assert.Equal(1, report["earned"]!.GetValue<double>());
        Assert.Equal("cell 9 was stopped: the submission used up its 45 s", Message(report, "squares-check"));
        Assert.Equal("not run: the submission used up its 45 s", Message(report, "doubled-check"));
    }

    [Fact]
    public void Given_bad_input_When_graded_Then_exit_2_with_the_file_and_cell_named()
    {
        using var dir = new TempDir();
        var missing = AeCourseCommand.Run("grade", dir["absent.ipynb"], "--source", SourcePath);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains(dir["absent.ipynb"] + ": file not found", missing.Stderr);

        File.WriteAllText(dir["broken.ipynb"], "{ \"cells\": [");
        var broken = AeCourseCommand.Run("grade", dir["broken.ipynb"], "--source", SourcePath);
        Assert.Equal(2, broken.ExitCode);
        Assert.Contains(dir["broken.ipynb"] + ": not valid JSON", broken.Stderr);

        // A test cell without points: the source's markup is wrong, which the grader names by file and cell.
        var source = JsonNode.Parse(File.ReadAllText(SourcePath))!.AsObject();
        source["cells"]![5]!["metadata"]!["nbgrader"]!.AsObject().Remove("points");
        File.WriteAllText(dir["source.ipynb"], source.ToJsonString());
        WriteSubmission(dir["student.ipynb"], new Dictionary<string, string?>());
        var markup = AeCourseCommand.Run("grade", dir["student.ipynb"], "--source", dir["source.ipynb"]);
        Assert.Equal(2, markup.ExitCode);
        Assert.Contains(dir["source.ipynb"] + ", cell 6: test cell \"add-check\" has no points", markup.Stderr);
    }

    /// <summary>The channel's messages and the name guard on their own: no worker, so no fixture.</summary>
    public sealed class Parts
    {
        [Fact]
        public void Given_a_genuine_message_When_tampered_with_or_keyed_differently_Then_it_is_rejected_but_garbage_before_it_is_not()
        {
            var key = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
            var line = new Notebooks.Grading.WorkerMessage(3, 8, "ok", "", "[]").Encode(key);
            Assert.Equal(new Notebooks.Grading.WorkerMessage(3, 8, "ok", "", "[]"), Notebooks.Grading.WorkerMessage.Decode(line, key));
            // Bytes a student wrote to the pipe without a newline do not swallow the message after them.
            Assert.NotNull(Notebooks.Grading.WorkerMessage.Decode("AEG1 PASS " + line, key));
            Assert.Null(Notebooks.Grading.WorkerMessage.Decode(line.Replace(" ok ", " error "), key));
            Assert.Null(Notebooks.Grading.WorkerMessage.Decode(line, System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
            Assert.Null(Notebooks.Grading.WorkerMessage.Decode("PASS", key));
        }

        [Fact]
        public void Given_a_student_cell_that_redeclares_instructor_names_When_guarded_Then_only_its_own_uses_are_renamed()
        {
            var cell = """
                #!time
                int size = 0;
                class Box { public int size; public int Get() => size; }
                int Twice(int x) => new Box { size = x }.size * 2 + size + Math.Max(size: 1, 2);
                """;
            var renamed = Notebooks.Grading.NameGuard.Rename(cell, new HashSet<string> { "size" });
            Assert.Equal("""
                #!time
                int size__submission = 0;
                class Box { public int size; public int Get() => size; }
                int Twice(int x) => new Box { size = x }.size * 2 + size__submission + Math.Max(size: 1, 2);
                """, renamed);
            Assert.Equal("global::AeCourse.Grading.Check.That(x.Check, \"y\");", Notebooks.Grading.NameGuard.QualifyChecks("Check.That(x.Check, \"y\");", Cli.Hosting.KitChecks.Library));
        }
    }
}
