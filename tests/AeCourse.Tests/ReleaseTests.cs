using System.Text.Json.Nodes;
using AeCourse.Cli.Hosting;
using AeCourse.Notebooks.Execution;
using AeCourse.Notebooks.Format;
using AeCourse.Notebooks.Grading;
using AeCourse.Tests.Support;
using static AeCourse.Tests.Support.NotebookCorpus;

namespace AeCourse.Tests;

/// <summary>
/// The student release: solutions become stubs that compile and throw with a hint, hidden tests go, outputs are
/// cleared, metadata stays; the same source always gives the same bytes, and releasing a release changes nothing.
/// </summary>
public sealed class ReleaseTests : IDisposable
{
    static readonly RunOptions Kit = new() { Packages = KitPackages.Instance };

    readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>nbgrader's cell metadata (schema 3), in the key order nbgrader writes.</summary>
    static JsonObject Nbgrader(string id, bool solution = false, bool grade = false, double? points = null)
    {
        var meta = new JsonObject { ["grade"] = grade, ["grade_id"] = id, ["locked"] = !solution };
        if (points is { } p) meta["points"] = p;
        meta["schema_version"] = 3;
        meta["solution"] = solution;
        meta["task"] = false;
        return meta;
    }

    static NotebookCell Answer(string id, string source)
    {
        var cell = NotebookCell.Code(source);
        cell.Metadata["nbgrader"] = Nbgrader(id, solution: true);
        return cell;
    }

    static NotebookCell Test(string id, string source, double? points = 1)
    {
        var cell = NotebookCell.Code(source);
        cell.Metadata["nbgrader"] = Nbgrader(id, grade: true, points: points);
        return cell;
    }

    /// <summary>A locked cell: instructor code, neither answer nor test.</summary>
    static NotebookCell Locked(string id, string source)
    {
        var cell = NotebookCell.Code(source);
        cell.Metadata["nbgrader"] = Nbgrader(id);
        return cell;
    }

    /// <summary>A raw cell (nbformat's third kind), without nbgrader metadata.</summary>
    static NotebookCell Raw(string source) =>
        new(new JsonObject { ["cell_type"] = "raw", ["metadata"] = new JsonObject(), ["source"] = NotebookCell.Lines(source) });

    /// <summary>A small source notebook, written to the temporary folder (the engine runs a notebook in its folder).</summary>
    Notebook Source(string name, params NotebookCell[] cells)
    {
        var notebook = Notebook.CreatePolyglot(_dir[name]);
        notebook.Cells.Add(NotebookCell.Markdown("# A small exercise"));
        foreach (var cell in cells) notebook.Cells.Add(cell);
        notebook.Write();
        return Notebook.Read(_dir[name]);
    }

    static JsonObject? ErrorOutput(NotebookCell cell) =>
        cell.Outputs.Select(o => o!.AsObject()).FirstOrDefault(o => o["output_type"]!.GetValue<string>() == "error");

    const string TwiceSolution = "int Twice(int n)\n{\n    // BEGIN SOLUTION\n    // HINT: multiply n by two;\n    // HINT: the \"*\" operator \\ does it\n    return 2 * n;\n    // END SOLUTION\n}";

    Notebook TwiceSource() => Source("twice.ipynb",
        Answer("twice", TwiceSolution),
        Test("twice-check", "Console.WriteLine(Twice(21));\n// BEGIN HIDDEN TESTS\nif (Twice(-3) != -6) throw new Exception(\"Twice(-3) should be -6\");\n// END HIDDEN TESTS"));

    const string Regenerate = "dotnet run --project lib/AeCourse.Cli -- release source --out notebooks";

    /// <summary>The file names of the lectures' instructor sources, in order.</summary>
    static List<string> LectureNames() =>
        Directory.GetFiles(Path.Combine(TestPaths.Repo, "source"), "*.ipynb").Select(p => Path.GetFileName(p)).Order(StringComparer.Ordinal).ToList();

    public static TheoryData<string> Lectures() => new(LectureNames());

    static string SourcePath(string name) => Path.Combine(TestPaths.Repo, "source", name);

    static string StudentPath(string name) => Path.Combine(TestPaths.Repo, "notebooks", name);

    static byte[] Bytes(Notebook notebook) => new System.Text.UTF8Encoding(false).GetBytes(notebook.Serialize());

    [Theory]
    [MemberData(nameof(Lectures))]
    public void Given_a_lecture_source_When_released_Then_it_equals_the_student_copy_in_notebooks(string name)
    {
        Assert.True(File.Exists(StudentPath(name)), $"notebooks/{name} is missing; make it with `{Regenerate}`");
        bool same = Bytes(StudentRelease.Create(Notebook.Read(SourcePath(name)))).SequenceEqual(File.ReadAllBytes(StudentPath(name)));
        Assert.True(same, $"notebooks/{name} has drifted from source/{name}: edit the source, then regenerate with `{Regenerate}`");
    }

    [Theory]
    [MemberData(nameof(Lectures))]
    public void Given_a_lecture_source_When_released_twice_or_released_again_Then_the_bytes_are_the_same_and_the_source_is_untouched(string name)
    {
        var source = Notebook.Read(SourcePath(name));
        var first = StudentRelease.Create(source).Serialize();
        Assert.Equal(first, StudentRelease.Create(Notebook.Read(SourcePath(name))).Serialize());
        Assert.Equal(first, StudentRelease.Create(Notebook.Parse(first, StudentPath(name))).Serialize());
        Assert.Equal(File.ReadAllText(SourcePath(name)), source.Serialize());
    }

    [Theory]
    [MemberData(nameof(Lectures))]
    public void Given_a_student_copy_When_compared_with_its_source_Then_solutions_and_hidden_tests_are_gone_and_all_else_is_kept(string name)
    {
        var source = Notebook.Read(SourcePath(name));
        var student = Notebook.Read(StudentPath(name));
        Assert.Null(ValidateWithNbformat(StudentPath(name)));
        Assert.Equal(source.Cells.Count, student.Cells.Count);
        Assert.Equal(source.Metadata.ToJsonString(), student.Metadata.ToJsonString());

        var markup = GradedCell.ReadAll(source);
        Assert.Contains(markup, m => m.Role == CellRole.Answer);
        Assert.Contains(markup, m => m.Role == CellRole.Test && source.Cells[m.Index].Source.Contains(GradedCell.BeginHiddenTests));
        foreach (var m in markup)
        {
            var (original, copy) = (source.Cells[m.Index], student.Cells[m.Index]);
            var where = $"{name}, cell {m.Index + 1}";
            Assert.True(original.Node["metadata"]?.ToJsonString() == copy.Node["metadata"]?.ToJsonString(), $"{where}: metadata changed");
            Assert.DoesNotContain("SOLUTION", copy.Source);
            Assert.DoesNotContain("HIDDEN TESTS", copy.Source);
            if (copy.IsCode)
            {
                Assert.Empty(copy.Outputs);
                Assert.Null(copy.Node["execution_count"]);
            }
            switch (m.Role)
            {
                case CellRole.Answer:
                    Assert.True(GradedCell.HasStub(copy.Source), $"{where}: no stub in\n{copy.Source}");
                    Assert.NotNull(copy.Metadata["nbgrader"]);
                    break;
                case CellRole.Test:
                    // What the student sees is the source's visible checks, in order; the hidden lines are gone.
                    var hidden = HiddenLines(original.Source);
                    Assert.Equal(original.Source.Split('\n').Where(l => !hidden.Contains(l)), copy.Source.Split('\n'));
                    Assert.NotNull(copy.Metadata["nbgrader"]);
                    break;
                default:
                    Assert.Equal(original.Source, copy.Source);
                    break;
            }
        }
    }

    /// <summary>The lines of a cell from each BEGIN HIDDEN TESTS to its END, both included.</summary>
    static HashSet<string> HiddenLines(string source)
    {
        var lines = new HashSet<string>();
        bool inside = false;
        foreach (var line in source.Split('\n'))
        {
            if (line.Trim() == GradedCell.BeginHiddenTests) inside = true;
            if (inside) lines.Add(line);
            if (line.Trim() == GradedCell.EndHiddenTests) inside = false;
        }
        return lines;
    }

    [Fact]
    public void Given_the_source_folder_When_released_by_the_command_Then_it_writes_the_student_copies_and_a_line_for_each()
    {
        var output = _dir["student"];
        var result = AeCourseCommand.Run("release", Path.Combine(TestPaths.Repo, "source"), "--out", output);

        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        var names = LectureNames();
        Assert.Equal(names, Directory.GetFiles(output).Select(p => Path.GetFileName(p)).Order(StringComparer.Ordinal));
        Assert.All(names, n => Assert.Equal(File.ReadAllBytes(StudentPath(n)), File.ReadAllBytes(Path.Combine(output, n))));
        var lines = result.Stdout.TrimEnd('\n').Split('\n');
        Assert.Equal(names.Count, lines.Length);
        Assert.All(lines, l => Assert.Matches(@"^released .*source/[^ ]+\.ipynb → .*student/[^ ]+\.ipynb: \d+ exercises?, \d+ hidden-test blocks? removed$", l));
        Assert.Contains(lines, l => l.EndsWith("01-autoencoder.ipynb: 4 exercises, 4 hidden-test blocks removed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Given_an_answer_inside_a_method_When_released_and_run_Then_the_stub_compiles_and_its_check_fails_with_the_hint()
    {
        var source = TwiceSource();
        var ran = await NotebookRunner.RunAsync(source, Kit);
        Assert.True(ran.Succeeded, string.Join("\n", ran.Failures));
        Assert.Equal("42\n", Stream(ran.Notebook.Cells[2].Node, "stdout"));

        var student = StudentRelease.Create(source);
        // The region gives way to the stub at its indentation; the hint lines, joined, are the message, escaped.
        Assert.Equal("int Twice(int n)\n{\n    // YOUR CODE HERE\n    throw new NotImplementedException(\"multiply n by two; the \\\"*\\\" operator \\\\ does it\");\n}",
                     student.Cells[1].Source);
        Assert.Equal("Console.WriteLine(Twice(21));", student.Cells[2].Source);

        var run = await NotebookRunner.RunAsync(student, Kit with { AllowErrors = true });
        Assert.Null(ErrorOutput(run.Notebook.Cells[1]));                 // the stub compiled and defined Twice
        var failure = Assert.Single(run.Failures);
        Assert.Equal((3, "runtime"), (failure.CellNumber, failure.Kind));
        var error = ErrorOutput(run.Notebook.Cells[2])!;
        Assert.Equal("System.NotImplementedException", error["ename"]!.GetValue<string>());
        Assert.Equal("multiply n by two; the \"*\" operator \\ does it", error["evalue"]!.GetValue<string>());
    }

    [Fact]
    public async Task Given_an_answer_in_top_level_statements_When_released_and_run_Then_its_cell_throws_the_default_hint()
    {
        var source = Source("top-level.ipynb",
            Answer("the-answer", "var answer = 0;\n// BEGIN SOLUTION\nanswer = 6 * 7;\n// END SOLUTION\nConsole.WriteLine(answer);"),
            Test("the-answer-check", "if (answer != 42) throw new Exception(\"expected 42\");"));
        var ran = await NotebookRunner.RunAsync(source, Kit);
        Assert.True(ran.Succeeded, string.Join("\n", ran.Failures));

        var student = StudentRelease.Create(source);
        Assert.Equal("var answer = 0;\n// YOUR CODE HERE\nthrow new NotImplementedException(\"Exercise the-answer is not done yet: write your answer here.\");\nConsole.WriteLine(answer);",
                     student.Cells[1].Source);
        var run = await NotebookRunner.RunAsync(student, Kit with { AllowErrors = true });
        // A runtime failure of the answer cell itself, not a compile error: the stub compiles among statements too.
        var first = run.Failures[0];
        Assert.Equal((2, "runtime"), (first.CellNumber, first.Kind));
        Assert.Contains("System.NotImplementedException: Exercise the-answer is not done yet: write your answer here.", first.Message);
    }

    [Fact]
    public async Task Given_an_executed_source_When_released_Then_outputs_and_counts_are_cleared_and_the_bytes_equal_the_unexecuted_release()
    {
        var source = TwiceSource();
        var executed = (await NotebookRunner.RunAsync(source, Kit)).Notebook;
        Assert.Contains(executed.Cells, c => c.IsCode && c.Outputs.Count > 0 && c.ExecutionCount is not null);

        var student = StudentRelease.Create(executed);
        Assert.All(student.Cells.Where(c => c.IsCode), c =>
        {
            Assert.Empty(c.Outputs);
            Assert.Null(c.Node["execution_count"]);
        });
        Assert.Equal(StudentRelease.Create(source).Serialize(), student.Serialize());
    }

    [Fact]
    public void Given_a_released_answer_cell_When_its_markup_is_read_Then_the_stub_stands_for_the_region_but_a_bare_comment_does_not()
    {
        var student = StudentRelease.Create(TwiceSource());
        Assert.Equal([CellRole.Plain, CellRole.Answer, CellRole.Test], GradedCell.ReadAll(student).Select(c => c.Role));

        var comment = Source("comment.ipynb", Answer("twice", "int Twice(int n)\n{\n    // YOUR CODE HERE\n    return 0;\n}"));
        var e = Assert.Throws<GradingMarkupException>(() => StudentRelease.Create(comment));
        Assert.Equal($"{_dir["comment.ipynb"]}, cell 2: answer cell \"twice\" has no // BEGIN SOLUTION … // END SOLUTION region (nor the student stub a release leaves)", e.Message);
    }

    /// <summary>Sources with a markup fault, the cell (1-based) it is in, and words of the message.</summary>
    public static TheoryData<string, int, string> BadMarkup() => new()
    {
        { "unbalanced", 2, "// BEGIN SOLUTION is never closed by // END SOLUTION" },
        { "no-region", 2, "answer cell \"twice\" has no // BEGIN SOLUTION" },
        { "duplicate-id", 3, "grade_id \"twice\" is used by cell 2 already" },
        { "no-points", 3, "test cell \"twice-check\" has no points" },
    };

    /// <summary>More faults the markup reader rejects, checked without the command.</summary>
    public static TheoryData<string, int, string> MoreBadMarkup() => new()
    {
        { "marker-not-alone", 2, "\"twice\", line 3: a marker must stand alone on its line" },
        { "nested", 2, "\"twice\", line 4: // BEGIN SOLUTION inside another // BEGIN SOLUTION" },
        { "end-first", 2, "\"twice\", line 3: // END SOLUTION without // BEGIN SOLUTION before it" },
        { "hidden-unclosed", 3, "\"twice-check\": // BEGIN HIDDEN TESTS is never closed by // END HIDDEN TESTS" },
        { "both-roles", 2, "\"twice\" is marked both solution and grade" },
        { "zero-points", 3, "test cell \"twice-check\" has 0 points; give it a positive number" },
        { "schema-2", 2, "nbgrader schema_version 2 is not supported (expected 3)" },
        { "markdown-answer", 2, "\"twice\" is a markdown cell; only code cells can be answers or tests here" },
    };

    /// <summary>
    /// Markers in a cell of the wrong kind, or a region split across cells: nbgrader refuses them, and the release
    /// would otherwise copy the solution or the hidden test to the students as it stands.
    /// </summary>
    public static TheoryData<string, int, string> MisplacedMarkers() => new()
    {
        { "solution-in-test", 3, "line 2: a solution marker (\"// BEGIN SOLUTION\") in test cell \"twice-check\"; solution regions belong in answer cells only" },
        { "solution-in-locked", 2, "line 2: a solution marker (\"// BEGIN SOLUTION\") in locked code cell \"setup\"; solution regions belong in answer cells only" },
        { "solution-in-plain", 2, "line 1: a solution marker (\"// BEGIN SOLUTION\") in a plain code cell (no nbgrader metadata); solution regions belong in answer cells only" },
        { "solution-in-markdown", 2, "line 3: a solution marker (\"// BEGIN SOLUTION\") in a plain markdown cell (no nbgrader metadata)" },
        { "solution-in-raw", 2, "line 1: a solution marker (\"// BEGIN SOLUTION\") in a plain raw cell (no nbgrader metadata)" },
        { "hidden-in-answer", 2, "line 7: a hidden-test marker (\"// BEGIN HIDDEN TESTS\") in answer cell \"twice\"; hidden tests belong in test cells only" },
        { "hidden-in-locked", 3, "line 2: a hidden-test marker (\"// BEGIN HIDDEN TESTS\") in locked code cell \"inputs\"; hidden tests belong in test cells only" },
        { "hidden-in-plain", 3, "line 2: a hidden-test marker (\"// BEGIN HIDDEN TESTS\") in a plain code cell (no nbgrader metadata); hidden tests belong in test cells only" },
        { "hidden-in-markdown", 3, "line 2: a hidden-test marker (\"// BEGIN HIDDEN TESTS\") in a plain markdown cell (no nbgrader metadata)" },
        { "hidden-in-raw", 3, "line 1: a hidden-test marker (\"// BEGIN HIDDEN TESTS\") in a plain raw cell (no nbgrader metadata)" },
        { "solution-split", 2, "\"twice\": // BEGIN SOLUTION is never closed by // END SOLUTION in this cell; a region begins and ends in the same cell" },
        { "hidden-split", 3, "\"twice-check\": // BEGIN HIDDEN TESTS is never closed by // END HIDDEN TESTS in this cell" },
        { "hidden-end-alone", 3, "\"twice-check\", line 3: // END HIDDEN TESTS without // BEGIN HIDDEN TESTS before it in this cell" },
        { "hidden-nested", 3, "\"twice-check\", line 3: // BEGIN HIDDEN TESTS inside another // BEGIN HIDDEN TESTS" },
    };

    /// <summary>
    /// Lines nbgrader would take for markers (its delimiter anywhere in the line) or an instructor likely meant as
    /// markers (another case, spacing or comment leader): the kit reads only the exact spelling, so each is refused
    /// rather than copied to the students with what it was meant to hide.
    /// </summary>
    public static TheoryData<string, int, string> MisspelledMarkers() => new()
    {
        { "no-space", 2, "\"twice\", line 3: a marker must stand alone on its line, spelled exactly // BEGIN SOLUTION; found \"//BEGIN SOLUTION\"" },
        { "lower-case", 3, "\"twice-check\", line 2: a marker must stand alone on its line, spelled exactly // BEGIN HIDDEN TESTS; found \"// begin hidden tests\"" },
        { "python-leader", 2, "\"twice\", line 3: a marker must stand alone on its line, spelled exactly // BEGIN SOLUTION; found \"### BEGIN SOLUTION\"" },
        { "double-space", 2, "\"twice\", line 5: a marker must stand alone on its line, spelled exactly // END SOLUTION; found \"// END  SOLUTION\"" },
        { "singular", 3, "\"twice-check\", line 2: a marker must stand alone on its line, spelled exactly // BEGIN HIDDEN TESTS; found \"// BEGIN HIDDEN TEST\"" },
        { "second-region-misspelled", 2, "\"twice\", line 7: a marker must stand alone on its line, spelled exactly // BEGIN SOLUTION; found \"// Begin Solution\"" },
        { "delimiter-in-hint", 2, "\"twice\", line 4: a marker must stand alone on its line, spelled exactly // END SOLUTION; found \"// HINT: stop at END SOLUTION\"" },
        { "near-miss-in-plain", 2, "line 1: a solution marker (\"//begin solution\") in a plain code cell (no nbgrader metadata)" },
    };

    NotebookCell[] Faulty(string fault) => fault switch
    {
        "solution-in-test" => [Answer("twice", TwiceSolution), Test("twice-check", "Console.WriteLine(Twice(21));\n// BEGIN SOLUTION\nConsole.WriteLine(Twice(-3));\n// END SOLUTION")],
        "solution-in-locked" => [Locked("setup", "int factor = 0;\n// BEGIN SOLUTION\nfactor = 2;\n// END SOLUTION"), Answer("twice", TwiceSolution)],
        "solution-in-plain" => [NotebookCell.Code("// BEGIN SOLUTION\nint Twice(int n) => 2 * n;\n// END SOLUTION")],
        "solution-in-markdown" => [NotebookCell.Markdown("Write `Twice`:\n\n// BEGIN SOLUTION\n`return 2 * n;`\n// END SOLUTION")],
        "solution-in-raw" => [Raw("// BEGIN SOLUTION\nreturn 2 * n;\n// END SOLUTION")],
        "hidden-in-answer" => [Answer("twice", "int Twice(int n)\n{\n    // BEGIN SOLUTION\n    return 2 * n;\n    // END SOLUTION\n}\n// BEGIN HIDDEN TESTS\nif (Twice(-3) != -6) throw new Exception(\"Twice(-3) should be -6\");\n// END HIDDEN TESTS")],
        "hidden-in-locked" => [Answer("twice", TwiceSolution), Locked("inputs", "var inputs = new[] { 21 };\n// BEGIN HIDDEN TESTS\ninputs = [21, -3];\n// END HIDDEN TESTS")],
        "hidden-in-plain" => [Answer("twice", TwiceSolution), NotebookCell.Code("Console.WriteLine(Twice(21));\n// BEGIN HIDDEN TESTS\nConsole.WriteLine(Twice(-3));\n// END HIDDEN TESTS")],
        "hidden-in-markdown" => [Answer("twice", TwiceSolution), NotebookCell.Markdown("The checks:\n// BEGIN HIDDEN TESTS\n`Twice(-3)` is -6\n// END HIDDEN TESTS")],
        "hidden-in-raw" => [Answer("twice", TwiceSolution), Raw("// BEGIN HIDDEN TESTS\nConsole.WriteLine(Twice(-3));\n// END HIDDEN TESTS")],
        "solution-split" => [Answer("twice", "int Twice(int n)\n{\n    // BEGIN SOLUTION\n    return 2 * n;"), Answer("twice-end", "    // END SOLUTION\n}")],
        "hidden-split" => [Answer("twice", TwiceSolution), Test("twice-check", "Console.WriteLine(Twice(21));\n// BEGIN HIDDEN TESTS\nConsole.WriteLine(Twice(-3));"),
                           Test("twice-check-end", "Console.WriteLine(Twice(-4));\n// END HIDDEN TESTS")],
        "hidden-end-alone" => [Answer("twice", TwiceSolution), Test("twice-check", "Console.WriteLine(Twice(21));\nConsole.WriteLine(Twice(-3));\n// END HIDDEN TESTS")],
        "hidden-nested" => [Answer("twice", TwiceSolution), Test("twice-check", "// BEGIN HIDDEN TESTS\nConsole.WriteLine(Twice(21));\n// BEGIN HIDDEN TESTS\n// END HIDDEN TESTS")],
        "no-space" => [Answer("twice", "int Twice(int n)\n{\n    //BEGIN SOLUTION\n    return 2 * n;\n    //END SOLUTION\n}")],
        "lower-case" => [Answer("twice", TwiceSolution), Test("twice-check", "Console.WriteLine(Twice(21));\n// begin hidden tests\nConsole.WriteLine(Twice(-3));\n// end hidden tests")],
        "python-leader" => [Answer("twice", "int Twice(int n)\n{\n    ### BEGIN SOLUTION\n    return 2 * n;\n    ### END SOLUTION\n}")],
        "double-space" => [Answer("twice", "int Twice(int n)\n{\n    // BEGIN SOLUTION\n    return 2 * n;\n    // END  SOLUTION\n}")],
        "singular" => [Answer("twice", TwiceSolution), Test("twice-check", "Console.WriteLine(Twice(21));\n// BEGIN HIDDEN TEST\nConsole.WriteLine(Twice(-3));\n// END HIDDEN TEST")],
        "second-region-misspelled" => [Answer("twice", "int Twice(int n)\n{\n    // BEGIN SOLUTION\n    return 2 * n;\n    // END SOLUTION\n}\n// Begin Solution\nint Thrice(int n) => 3 * n;\n// End Solution")],
        "delimiter-in-hint" => [Answer("twice", "int Twice(int n)\n{\n    // BEGIN SOLUTION\n    // HINT: stop at END SOLUTION\n    return 2 * n;\n    // END SOLUTION\n}")],
        "near-miss-in-plain" => [NotebookCell.Code("//begin solution\nint Twice(int n) => 2 * n;\n//end solution")],
        "marker-not-alone" => [Answer("twice", "int Twice(int n)\n{\n    return 2 * n; // BEGIN SOLUTION\n    // END SOLUTION\n}")],
        "nested" => [Answer("twice", "int Twice(int n)\n{\n    // BEGIN SOLUTION\n    // BEGIN SOLUTION\n    return 2 * n;\n    // END SOLUTION\n    // END SOLUTION\n}")],
        "end-first" => [Answer("twice", "int Twice(int n)\n{\n    // END SOLUTION\n    return 2 * n;\n    // BEGIN SOLUTION\n}")],
        "hidden-unclosed" => [Answer("twice", TwiceSolution), Test("twice-check", "Console.WriteLine(Twice(21));\n// BEGIN HIDDEN TESTS\nConsole.WriteLine(Twice(-3));")],
        "both-roles" => [With(Answer("twice", TwiceSolution), meta => meta["grade"] = true)],
        "zero-points" => [Answer("twice", TwiceSolution), Test("twice-check", "Console.WriteLine(Twice(21));", points: 0)],
        "schema-2" => [With(Answer("twice", TwiceSolution), meta => meta["schema_version"] = 2)],
        "markdown-answer" => [Marked(NotebookCell.Markdown("Twice: multiply by two."), Nbgrader("twice", solution: true))],
        "unbalanced" => [Answer("twice", "int Twice(int n)\n{\n    // BEGIN SOLUTION\n    return 2 * n;\n}")],
        "no-region" => [Answer("twice", "int Twice(int n) => 2 * n;")],
        "duplicate-id" => [Answer("twice", TwiceSolution), Answer("twice", TwiceSolution.Replace("Twice", "Double"))],
        "no-points" => [Answer("twice", TwiceSolution), Test("twice-check", "Console.WriteLine(Twice(21));", points: null)],
        _ => throw new ArgumentOutOfRangeException(nameof(fault)),
    };

    static NotebookCell With(NotebookCell cell, Action<JsonObject> change)
    {
        change(cell.Metadata["nbgrader"]!.AsObject());
        return cell;
    }

    static NotebookCell Marked(NotebookCell cell, JsonObject nbgrader)
    {
        cell.Metadata["nbgrader"] = nbgrader;
        return cell;
    }

    [Theory]
    [MemberData(nameof(BadMarkup))]
    [MemberData(nameof(MoreBadMarkup))]
    [MemberData(nameof(MisplacedMarkers))]
    [MemberData(nameof(MisspelledMarkers))]
    public void Given_a_source_with_bad_markup_When_released_Then_the_error_names_the_file_and_the_cell(string fault, int cell, string problem)
    {
        var source = Source(fault + ".ipynb", Faulty(fault));
        var e = Assert.Throws<GradingMarkupException>(() => StudentRelease.Create(source));
        Assert.StartsWith($"{_dir[fault + ".ipynb"]}, cell {cell}: ", e.Message);
        Assert.Contains(problem, e.Message);
    }

    [Theory]
    [MemberData(nameof(BadMarkup))]
    [MemberData(nameof(MisplacedMarkers))]
    [MemberData(nameof(MisspelledMarkers))]
    public void Given_a_folder_with_one_bad_source_When_released_by_the_command_Then_it_exits_2_naming_it_and_writes_nothing(string fault, int cell, string problem)
    {
        var folder = Directory.CreateDirectory(_dir["sources"]).FullName;
        TwiceSource().Write(Path.Combine(folder, "a-good.ipynb"));
        Source(fault + ".ipynb", Faulty(fault)).Write(Path.Combine(folder, "b-bad.ipynb"));
        var output = _dir["student"];

        var result = AeCourseCommand.Run("release", folder, "--out", output);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"{Path.Combine(folder, "b-bad.ipynb")}, cell {cell}: ", result.Stderr);
        Assert.Contains(problem, result.Stderr);
        Assert.Equal("", result.Stdout);
        Assert.False(Directory.Exists(output), "a bad source leaves the output folder untouched: not even the good one is written");
    }

    /// <summary>
    /// Cells after an exercise that use what it makes (cell numbers 1-based, after the title cell): each source is refused
    /// naming the first cell that would fail in the students' copy and the name it uses.
    /// </summary>
    public static TheoryData<string, string, int, string> UsesOfAnAnswer() => new()
    {
        // A function the answer declares, called by a plain cell.
        { "function", "Console.WriteLine(Twice(4));", 4, "uses `Twice`, which the exercise's cell 2 (twice) makes" },
        // A variable a check declares from the answer: the check is part of the exercise.
        { "checked", "Console.WriteLine(doubled + 1);", 4, "uses `doubled`, which the exercise's cell 3 (twice-check) makes" },
        // Used inside a lambda: it fails when the lambda runs.
        { "lambda", "Func<int, int> f = n => Twice(n) + 1;\nConsole.WriteLine(f(1));", 4, "uses `Twice`" },
    };

    [Theory]
    [MemberData(nameof(UsesOfAnAnswer))]
    public void Given_a_cell_outside_the_exercise_that_uses_what_the_exercise_makes_When_released_Then_it_is_refused_naming_the_cell_and_the_name(string fault, string use, int cell, string problem)
    {
        var source = Source(fault + ".ipynb", Answer("twice", TwiceSolution), Test("twice-check", "var doubled = Twice(21);\nConsole.WriteLine(doubled);"), NotebookCell.Code(use));
        var e = Assert.Throws<GradingMarkupException>(() => StudentRelease.Create(source));
        Assert.StartsWith($"{_dir[fault + ".ipynb"]}, cell {cell}: ", e.Message);
        Assert.Contains(problem, e.Message);
    }

    [Theory]
    [InlineData("int Twice(int n) => n + n;\nConsole.WriteLine(Twice(4));")]      // declared again outside the exercise
    [InlineData("var doubled = 5;\nConsole.WriteLine(doubled);")]                  // a variable of the same name, its own
    [InlineData("var list = new List<int> { 1 };\nConsole.WriteLine(list.Count(n => n > 0));")]   // names reached through a dot
    [InlineData("Console.WriteLine(Math.Max(1, 2));")]
    public void Given_cells_outside_the_exercise_that_use_only_their_own_names_When_released_Then_the_release_goes_through(string use)
    {
        var source = Source("fine.ipynb", Answer("twice", TwiceSolution), Test("twice-check", "var doubled = Twice(21);"), NotebookCell.Code(use));
        Assert.Equal(1, StudentRelease.Release(source).Exercises);
    }

    [Fact]
    public void Given_a_variable_an_answer_assigns_When_a_later_cell_reads_it_Then_the_release_is_refused()
    {
        var source = Source("assigned.ipynb",
            NotebookCell.Code("double threshold = 0;"),
            Answer("pick", "// BEGIN SOLUTION\nthreshold = 0.5;\n// END SOLUTION"),
            NotebookCell.Code("Console.WriteLine(threshold);"));
        var e = Assert.Throws<GradingMarkupException>(() => StudentRelease.Create(source));
        Assert.StartsWith($"{_dir["assigned.ipynb"]}, cell 4: uses `threshold`, which the exercise's cell 3 (pick) makes", e.Message);
    }

    [Fact]
    public void Given_lecture_04_with_a_cell_appended_that_uses_the_hole_models_When_released_Then_the_new_cell_is_refused()
    {
        // The students' copy of 04 runs outside its exercises (the lectures release as they are); one more cell that
        // reads the model the hole exercise's check trains would fail for every student who has not done it.
        var source = Notebook.Read(SourcePath("04-denoising.ipynb"));
        source.Cells.Add(NotebookCell.Code("Console.WriteLine(InBlock(Denoise(holeAe, occludedTest)));"));
        var e = Assert.Throws<GradingMarkupException>(() => StudentRelease.Create(source));
        Assert.Contains($"cell {source.Cells.Count}: uses `holeAe`", e.Message);
    }

    [Fact]
    public void Given_text_that_only_resembles_a_marker_When_released_Then_it_is_kept_as_it_is()
    {
        // Code and prose that name solutions or hidden tests but are not comments starting with a marker's words.
        var lookalikes = new[]
        {
            NotebookCell.Markdown("Begin your solution below; the hidden tests run when your notebook is graded."),
            NotebookCell.Code("void BeginSolution() { }\nBeginSolution(); // the end: solution and hidden tests come next"),
            Raw("begin solution"),
        };
        var source = Source("lookalikes.ipynb", [.. lookalikes, Answer("twice", TwiceSolution)]);

        var student = StudentRelease.Create(source);

        Assert.Equal(lookalikes.Select(c => c.Source), student.Cells.Skip(1).Take(lookalikes.Length).Select(c => c.Source));
    }

    [Fact]
    public void Given_a_grade_id_holding_marker_text_When_released_Then_the_final_check_refuses_the_stub_and_the_command_writes_nothing()
    {
        // The markup is valid, but the stub's default message quotes the grade_id: the last check before the copy
        // leaves the release catches the marker text it would carry.
        var source = Source("id.ipynb", Answer("twice END SOLUTION", "int Twice(int n)\n{\n    // BEGIN SOLUTION\n    return 2 * n;\n    // END SOLUTION\n}"));
        var e = Assert.Throws<GradingMarkupException>(() => StudentRelease.Create(source));
        Assert.Equal($"{_dir["id.ipynb"]}, cell 2: line 4: the student copy would still hold grading markup " +
                     "(\"throw new NotImplementedException(\"Exercise twice END SOLUTION is not done yet: write your answer here.\");\"); nothing is written", e.Message);

        var output = _dir["student"];
        var result = AeCourseCommand.Run("release", _dir["id.ipynb"], "--out", output);
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"{_dir["id.ipynb"]}, cell 2: line 4: the student copy would still hold grading markup", result.Stderr);
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public void Given_a_student_notebook_with_marker_text_in_any_cell_When_checked_before_writing_Then_it_is_refused_naming_the_cell()
    {
        var student = Source("student.ipynb", NotebookCell.Code("Console.WriteLine(1);"), NotebookCell.Markdown("Done.\n\n// end hidden tests"));
        var e = Assert.Throws<GradingMarkupException>(() => StudentRelease.EnsureNoMarkup(student));
        Assert.Equal($"{_dir["student.ipynb"]}, cell 3: line 3: the student copy would still hold grading markup (\"// end hidden tests\"); nothing is written", e.Message);

        StudentRelease.EnsureNoMarkup(StudentRelease.Create(TwiceSource()));   // a released copy passes
    }

    [Fact]
    public void Given_sources_that_share_a_name_or_do_not_exist_When_released_Then_the_command_exits_2_and_writes_nothing()
    {
        var (one, two) = (Directory.CreateDirectory(_dir["one"]).FullName, Directory.CreateDirectory(_dir["two"]).FullName);
        TwiceSource().Write(Path.Combine(one, "twice.ipynb"));
        TwiceSource().Write(Path.Combine(two, "twice.ipynb"));
        var output = _dir["student"];

        var clash = AeCourseCommand.Run("release", Path.Combine(one, "twice.ipynb"), Path.Combine(two, "twice.ipynb"), "--out", output);
        Assert.Equal(2, clash.ExitCode);
        Assert.Contains($"would both be released as {Path.Combine(output, "twice.ipynb")}", clash.Stderr);

        var missing = AeCourseCommand.Run("release", one, _dir["nowhere"], "--out", output);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains($"{_dir["nowhere"]}: no such file or folder", missing.Stderr);
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public void Given_an_answer_cell_with_windows_line_ends_When_released_Then_the_stub_keeps_them()
    {
        var source = Source("crlf.ipynb", Answer("twice", "int Twice(int n)\r\n{\r\n    // BEGIN SOLUTION\r\n    return 2 * n;\r\n    // END SOLUTION\r\n}"));
        Assert.Equal("int Twice(int n)\r\n{\r\n    // YOUR CODE HERE\r\n    throw new NotImplementedException(\"Exercise twice is not done yet: write your answer here.\");\r\n}",
                     StudentRelease.Create(source).Cells[1].Source);
    }

    [Fact]
    public void Given_the_output_folder_is_a_sources_own_folder_When_released_Then_it_is_refused_and_the_source_is_kept()
    {
        var folder = Directory.CreateDirectory(_dir["sources"]).FullName;
        var path = Path.Combine(folder, "twice.ipynb");
        TwiceSource().Write(path);
        var before = File.ReadAllBytes(path);

        var result = AeCourseCommand.Run("release", folder, "--out", folder + "/");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{path}: the output folder {folder} holds this source", result.Stderr);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(folder));
    }
}
