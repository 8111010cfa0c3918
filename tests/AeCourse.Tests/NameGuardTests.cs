using System.Text.Json.Nodes;
using AeCourse.Cli.Hosting;
using AeCourse.Notebooks.Execution;
using AeCourse.Notebooks.Format;
using AeCourse.Notebooks.Grading;
using AeCourse.Tests.Support;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Scripting;

namespace AeCourse.Tests;

/// <summary>
/// The grader's name guard on its own (no worker): which writes of an answer cell reach a variable of the instructor's,
/// which top-level declarations it renames, and the graded program it gives, run on Roslyn scripting as the worker runs
/// it, one submission after another in one session.
/// </summary>
public sealed class NameGuardTests
{
    /// <summary>Names an instructor's cells declare or use, in these tests.</summary>
    static readonly IReadOnlySet<string> Instructor = new HashSet<string> { "size", "expected", "model", "HResult", "_" };

    static IReadOnlyList<NameWrite> Writes(string cell) => NameGuard.Writes(cell, Instructor);

    [Theory]
    [InlineData("size = 0;")]
    [InlineData("size += 1;")]
    [InlineData("size -= 1;")]
    [InlineData("size <<= 1;")]
    [InlineData("size ??= 1;")]
    [InlineData("size++;")]
    [InlineData("++size;")]
    [InlineData("size--;")]
    [InlineData("--size;")]
    [InlineData("(size) = 0;")]
    [InlineData("int a; (a, size) = (1, 0);")]
    [InlineData("(size, var b) = (0, 1);")]
    [InlineData("((size, var b), var c) = ((0, 1), 2);")]
    [InlineData("int.TryParse(\"0\", out size);")]
    [InlineData("@size = 0;")]
    [InlineData("\\u0073ize = 0;")]
    [InlineData("for (int i = 0; i < 3; i++) size += i;")]
    [InlineData("Action reset = () => size = 0;")]
    [InlineData("var reset = delegate () { size = 0; };")]
    [InlineData("Enumerable.Range(0, 3).Select(x => size = x).ToList();")]
    [InlineData("int[] Squares(int n) { size = 0; return new int[n]; }")]
    [InlineData("int[] Squares(int n) { void Reset() => size = 0; Reset(); return new int[n]; }")]
    [InlineData("int Size { get => 0; set => size = value; }")]
    [InlineData("class Counter { public static void Reset() => size = 0; }")]
    public void Given_an_answer_that_assigns_an_instructor_variable_When_analysed_Then_the_assignment_is_found(string cell)
    {
        var write = Assert.Single(Writes(cell));
        Assert.Equal(("size", WriteKind.Assigns), (write.Name, write.Kind));
    }

    [Theory]
    [InlineData("System.Threading.Interlocked.Exchange(ref size, 0);")]
    [InlineData("void Read(in int n) { } Read(in size);")]
    [InlineData("void Reset() { ref int r = ref size; r = 0; }")]
    [InlineData("ref int Size() => ref size;")]
    [InlineData("void Reset() { var r = __makeref(size); }")]
    [InlineData("unsafe void Reset() { fixed (int* p = &size) *p = 0; }")]
    public void Given_an_answer_that_takes_a_reference_to_an_instructor_variable_When_analysed_Then_it_is_found(string cell)
    {
        var write = Assert.Single(Writes(cell));
        Assert.Equal(("size", WriteKind.TakesReference), (write.Name, write.Kind));
    }

    [Theory]
    // The student's own locals, parameters and lambda parameters that shadow the name.
    [InlineData("int[] Squares(int size) { size = 0; return new int[size]; }")]
    [InlineData("var f = (int size) => size = 1;")]
    [InlineData("Func<int, int> f = size => size++;")]
    [InlineData("Enumerable.Range(0, 3).Select(size => size += 1);")]
    [InlineData("var f = delegate (int size) { size = 1; };")]
    [InlineData("int[] Squares(int n) { int size = n; size++; return new int[size]; }")]
    [InlineData("int[] Squares(int n) { int Twice(int size) { size *= 2; return size; } return new int[Twice(n)]; }")]
    [InlineData("for (int size = 0; size < 3; size++) { }")]
    [InlineData("try { } catch (Exception size) { size = null; }")]
    [InlineData("void M(object o) { switch (o) { case int size: size = 2; break; } }")]
    [InlineData("void M(object o) { if (o is int size) size++; }")]
    [InlineData("void M() { (int size, int b) = (1, 2); size = b; }")]
    // Members: of the student's objects, of the student's own types, or inherited by them.
    [InlineData("model.size = 1;")]
    [InlineData("model.Weight = 0;")]
    [InlineData("model?.Reset(size: 1);")]
    [InlineData("var box = new Box { size = 1 }; box = box with { size = 2 };")]
    [InlineData("class Box { public int size; public void Reset() => size = 0; }")]
    [InlineData("class Box(int size) { public void Reset() => size = 0; }")]
    [InlineData("class Failure : System.Exception { public Failure() { HResult = 1; } }")]
    [InlineData("class Layer : torch.nn.Module { void Reset() { size = 0; } }")]
    // Reads, discards, the cell's own top-level variable, and names the instructor's cells do not use.
    [InlineData("Console.WriteLine(size + expected); var copy = size;")]
    [InlineData("_ = size; int.TryParse(\"1\", out _);")]
    [InlineData("int size = 0; size = 1;")]
    [InlineData("int total = 0; total += size; total++;")]
    public void Given_an_answer_that_writes_only_its_own_names_When_analysed_Then_nothing_is_found(string cell) =>
        Assert.Empty(Writes(cell));

    [Fact]
    public void Given_a_using_static_that_brings_in_a_member_of_the_same_name_When_analysed_Then_the_write_still_counts()
    {
        // In the session the earlier cell's variable hides what `using static` imports, so the write reaches it.
        var write = Assert.Single(NameGuard.Writes("using static System.Environment;\nExitCode = 1;", new HashSet<string> { "ExitCode" }));
        Assert.Equal(new NameWrite("ExitCode", 2, WriteKind.Assigns), write);
    }

    [Fact]
    public void Given_code_the_compiler_reads_differently_from_its_lines_When_analysed_Then_the_guard_reads_it_as_the_compiler_does()
    {
        // A guard that blanked every line starting with # would read a comment here, and a string below.
        Assert.Single(Writes("#if HIDDEN\n/*\n#endif\nsize = 0;\n#if HIDDEN\n*/\n#endif"));
        Assert.Single(Writes("var s = @\"\n# \"; size = 0; var t = @\"\n\";"));
        // Code the compiler leaves out is no write.
        Assert.Empty(Writes("#if HIDDEN\nsize = 0;\n#endif"));
        // The Polyglot directives are the engine's, not the compiler's: left out as the engine leaves them out.
        Assert.Single(Writes("#!time\n#r \"nuget: AeCourse, 0.1.0\"\nsize = 0;"));
    }

    [Theory]
    [InlineData("#!time")]
    [InlineData("  #!csharp")]
    [InlineData("#r \"nuget: AeCourse, 0.1.0\"")]
    [InlineData("#i \"nuget: https://example.org/v3/index.json\"")]
    [InlineData("#r \"helpers.dll\"")]
    [InlineData("#load \"helpers.csx\"")]
    [InlineData("#if DEBUG")]
    [InlineData("int size = 4;")]
    public void Given_a_line_When_the_guard_and_the_engine_read_it_Then_both_leave_it_out_or_both_keep_it(string line) =>
        Assert.Equal(CellSource.Parse(line, 1).Code.Trim().Length == 0, CellSource.IsPolyglotDirective(line));

    [Fact]
    public void Given_writes_to_instructor_names_When_objected_to_Then_the_message_names_each_with_its_line_and_says_what_to_do()
    {
        Assert.Null(NameGuard.Objection("squares", "int[] Squares(int n) => new int[n];", Instructor, mayLoad: false));
        Assert.Equal("answer squares assigns size (line 1), which the instructor's cells use; declare a variable of your own instead",
            NameGuard.Objection("squares", "size = 0;\nsize++;", Instructor, mayLoad: false));
        Assert.Equal("answer squares assigns size (line 2) and takes a reference to expected (line 3), which the instructor's cells use; declare variables of your own instead",
            NameGuard.Objection("squares", "int[] Squares(int n)\n{ size = 0;\n  System.Threading.Interlocked.Exchange(ref expected, null); return []; }", Instructor, mayLoad: false));
    }

    [Fact]
    public void Given_an_answer_that_loads_a_script_When_objected_to_Then_it_is_refused_unless_the_solution_loads_one_too()
    {
        const string cell = "#load \"helpers.csx\"\nint[] Squares(int n) => new int[n];";
        Assert.Equal("answer squares loads helpers.csx with #load, whose code the grader cannot check for writes to the instructor's variables; put that code in the cell instead",
            NameGuard.Objection("squares", cell, Instructor, mayLoad: false));
        Assert.Null(NameGuard.Objection("squares", cell, Instructor, mayLoad: true));
        Assert.Null(NameGuard.Objection("squares", "#if HIDDEN\n#load \"helpers.csx\"\n#endif", Instructor, mayLoad: false));
    }

    [Theory]
    [InlineData("var (a, size) = (1, 0);", "a size")]
    [InlineData("(var a, var size) = (1, 0);", "a size")]
    [InlineData("int.TryParse(\"0\", out var size);", "size")]
    [InlineData("object o = 0; var isInt = o is int size;", "o isInt size")]
    [InlineData("object o = 0; if (o is int size) { }", "o size")]
    [InlineData("object o = 0; while (o is int size) { break; }", "o")]
    [InlineData("foreach (var (a, size) in new[] { (1, 0) }) { }", "")]
    [InlineData("Func<object, bool> f = o => o is int size;", "f")]
    [InlineData("void M() { var (a, size) = (1, 0); }", "M")]
    [InlineData("event Action size; event Action Ticked { add { } remove { } }", "size Ticked")]
    public void Given_a_top_level_declaration_When_read_Then_it_names_what_the_session_makes_a_field_or_member(string cell, string names) =>
        Assert.Equal(names.Split(' ', StringSplitOptions.RemoveEmptyEntries).Order(), NameGuard.TopLevelDeclarations(cell).Order());

    [Fact]
    public void Given_declarations_in_passing_and_events_of_instructor_names_When_renamed_Then_their_declarations_and_uses_are_renamed()
    {
        var names = new HashSet<string> { "size", "expected" };
        Assert.Equal("var (a, size__submission) = (1, 0);\nevent Action expected__submission;\nint Twice() => size__submission * 2;",
            NameGuard.Rename("var (a, size) = (1, 0);\nevent Action expected;\nint Twice() => size * 2;", names));
        Assert.Equal("int.TryParse(\"0\", out var @size__submission);", NameGuard.Rename("int.TryParse(\"0\", out var @size);", names));
    }

    [Theory]
    [InlineData("var (a, size) = (1, 0);")]
    [InlineData("(var a, var size) = (1, 0);")]
    [InlineData("int.TryParse(\"0\", out var size);")]
    [InlineData("object zero = 0;\nif (zero is int size) { }")]
    public async Task Given_an_answer_that_declares_an_instructor_variable_in_passing_When_graded_Then_the_tests_see_the_instructor_value_and_the_answer_its_own(string declaration)
    {
        var program = Assemble(new() { ["squares"] = declaration + "\nint[] Squares(int n) => new int[size];" });

        var outcomes = await Run(program);

        Assert.Empty(program.RefusedAnswers);
        Assert.Contains("size" + NameGuard.Suffix, Code(program, "squares"));
        Assert.Equal(4, outcomes["size-check"].Value);
        Assert.Equal(0, outcomes["squares-check"].Value);
    }

    [Fact]
    public async Task Given_an_answer_that_assigns_an_instructor_variable_When_graded_Then_it_fails_with_the_reason_and_the_tests_keep_the_instructor_value()
    {
        const string answer = "int[] Squares(int n) => new int[size];\nsize = 0;";
        var program = Assemble(new() { ["squares"] = answer });

        var outcomes = await Run(program);

        const string reason = "answer squares assigns size (line 2), which the instructor's cells use; declare a variable of your own instead";
        Assert.Equal(reason, program.RefusedAnswers["squares"]);
        Assert.Equal(answer, program.Notebook.Cells[1].Source);   // the feedback shows the student's cell as written
        var thrown = Assert.IsType<InvalidOperationException>(outcomes["squares"].Thrown);
        Assert.Equal(reason, thrown.Message);
        Assert.Equal(4, outcomes["size-check"].Value);
        Assert.Contains("Squares", outcomes["squares-check"].CompileError);
    }

    [Fact]
    public void Given_a_source_whose_solution_assigns_an_instructor_variable_When_graded_Then_answers_may_assign_it_but_no_other()
    {
        var source = Source(
            ("setup", null, "int epochs = 1;\nint size = 4;"),
            ("train", "answer", "// BEGIN SOLUTION\nepochs = 5;\n// END SOLUTION"),
            ("train-check", "test", "epochs + size"));

        var allowed = GradedProgram.Assemble(source, Submission(source, new() { ["train"] = "epochs = 3;" }), new Dictionary<string, string>(), KitChecks.Library);
        var refused = GradedProgram.Assemble(source, Submission(source, new() { ["train"] = "epochs = 3;\nsize = 0;" }), new Dictionary<string, string>(), KitChecks.Library);

        Assert.Empty(allowed.RefusedAnswers);
        Assert.Equal("epochs = 3;", allowed.Cells.Single(c => c.GradeId == "train").Code);
        Assert.Equal("answer train assigns size (line 2), which the instructor's cells use; declare a variable of your own instead", refused.RefusedAnswers["train"]);
    }

    public static TheoryData<string> Lectures() => new(Directory.GetFiles(Path.Combine(TestPaths.Repo, "source"), "*.ipynb").Select(f => Path.GetFileName(f)).Order());

    [Theory]
    [MemberData(nameof(Lectures))]
    public void Given_a_lecture_When_its_source_and_its_student_copy_are_graded_against_it_Then_no_answer_is_refused_or_rewritten(string lecture)
    {
        var source = Notebook.Read(Path.Combine(TestPaths.Repo, "source", lecture));
        foreach (var submission in new[] { source, Notebook.Read(Path.Combine(TestPaths.Repo, "notebooks", lecture)) })
        {
            var program = GradedProgram.Assemble(source, submission, new Dictionary<string, string>(), KitChecks.Library);
            Assert.Empty(program.RefusedAnswers);
            Assert.Empty(program.MissingAnswers);
            foreach (var answer in program.Cells.Where(c => c.Role == CellRole.Answer))
                Assert.Equal(program.Notebook.Cells[answer.Index].Source, answer.Code);
        }
    }

    // A small source: the instructor's size (4), the answer squares, a test that shows size and one that calls the answer.
    static GradedProgram Assemble(Dictionary<string, string> answers)
    {
        var source = Source(
            ("setup", null, "int size = 4;"),
            ("squares", "answer", "int[] Squares(int n)\n{\n    // BEGIN SOLUTION\n    return new int[n];\n    // END SOLUTION\n}"),
            ("size-check", "test", "size"),
            ("squares-check", "test", "Squares(1).Length"));
        return GradedProgram.Assemble(source, Submission(source, answers), new Dictionary<string, string>(), CheckLibrary.None);
    }

    static string Code(GradedProgram program, string gradeId) => program.Cells.Single(c => c.GradeId == gradeId).Code!;

    /// <summary>A source notebook of code cells: (grade_id, "answer", "test" or null for a locked cell, code).</summary>
    static Notebook Source(params (string Id, string? Role, string Code)[] cells)
    {
        var notebook = Notebook.CreatePolyglot("source.ipynb");
        foreach (var (id, role, code) in cells)
        {
            var cell = NotebookCell.Code(code);
            var meta = new JsonObject { ["grade"] = role == "test", ["grade_id"] = id, ["locked"] = role != "answer" };
            if (role == "test") meta["points"] = 1.0;
            meta["schema_version"] = 3;
            meta["solution"] = role == "answer";
            meta["task"] = false;
            cell.Metadata["nbgrader"] = meta;
            notebook.Cells.Add(cell);
        }
        return notebook;
    }

    static Notebook Submission(Notebook source, Dictionary<string, string> answers)
    {
        var submission = source.Clone();
        foreach (var cell in submission.Cells)
            if (cell.Metadata["nbgrader"]?["grade_id"]?.GetValue<string>() is { } id && answers.TryGetValue(id, out var answer))
                cell.Source = answer;
        return submission;
    }

    sealed record Outcome(object? Value, Exception? Thrown, string? CompileError);

    /// <summary>Runs the program's cells as the worker does: one Roslyn script session, each cell a submission after the last.</summary>
    static async Task<Dictionary<string, Outcome>> Run(GradedProgram program)
    {
        var outcomes = new Dictionary<string, Outcome>();
        var state = await CSharpScript.RunAsync<object>("");
        foreach (var cell in program.Cells.Where(c => c.Code is not null))
        {
            try
            {
                state = await state.ContinueWithAsync<object>(cell.Code!, catchException: _ => true);
                outcomes[cell.GradeId!] = new Outcome(state.ReturnValue, state.Exception, null);
            }
            catch (CompilationErrorException e)
            {
                outcomes[cell.GradeId!] = new Outcome(null, null, string.Join("\n", e.Diagnostics));
            }
        }
        return outcomes;
    }
}
