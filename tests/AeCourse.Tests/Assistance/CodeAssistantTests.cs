using System.Diagnostics;
using AeCourse.Notebooks.Assistance;
using AeCourse.Notebooks.Execution;
using Microsoft.CodeAnalysis;
using Xunit.Abstractions;

namespace AeCourse.Tests.Assistance;

/// <summary>
/// Completion and inspection on real Roslyn, set up as the kernel sets up its scripting session: the shared framework's
/// assemblies, the default imports, <see cref="KernelGlobals"/> as host object. Cells are written with <c>|</c> where
/// the cursor is.
/// </summary>
public sealed class CodeAssistantTests(ITestOutputHelper output)
{
    /// <summary>Every assembly of the shared framework, as CSharpKernel references them.</summary>
    static readonly MetadataReference[] Framework = FrameworkReferences().ToArray();

    static IEnumerable<MetadataReference> FrameworkReferences()
    {
        var frameworkDir = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var trusted = (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? "").Split(Path.PathSeparator);
        return trusted
            .Where(p => Path.GetDirectoryName(p) == frameworkDir && Path.GetFileName(p).StartsWith("System", StringComparison.Ordinal)
                        || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll")
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p));
    }

    static CodeAssistant NewAssistant() => new(Framework, CSharpKernel.DefaultImports, typeof(KernelGlobals));

    /// <summary>The cell without its <c>|</c>, and the cursor there in code points, as Jupyter sends it.</summary>
    static (string Code, int Cursor) At(string marked)
    {
        int bar = marked.IndexOf('|');
        var code = marked.Remove(bar, 1);
        return (code, code[..bar].EnumerateRunes().Count());
    }

    /// <summary>The text between two code-point positions, as a Jupyter front end slices the cell.</summary>
    static string Slice(string code, int start, int end) =>
        string.Concat(code.EnumerateRunes().Skip(start).Take(end - start).Select(r => r.ToString()));

    static async Task<CompletionResult> Complete(CodeAssistant assistant, string marked)
    {
        var (code, cursor) = At(marked);
        return await assistant.CompleteAsync(code, cursor);
    }

    [Fact]
    public async Task Given_a_member_access_When_completing_Then_the_members_starting_so_replace_the_word_typed()
    {
        var result = await Complete(NewAssistant(), "Console.Wr|");

        Assert.Contains("WriteLine", result.Matches);
        Assert.Contains("Write", result.Matches);
        Assert.All(result.Matches, m => Assert.StartsWith("Wr", m));
        Assert.Equal(("Console.".Length, "Console.Wr".Length), (result.CursorStart, result.CursorEnd));
        var writeLine = result.Items.Single(i => i.Text == "WriteLine");
        Assert.Equal(("method", result.CursorStart, result.CursorEnd), (writeLine.Type, writeLine.Start, writeLine.End));
        Assert.Equal(result.Matches, result.Items.Select(i => i.Text));
    }

    [Fact]
    public async Task Given_earlier_cells_When_completing_Then_their_variables_methods_and_types_are_offered()
    {
        var assistant = NewAssistant();
        assistant.AddSubmission("var latentDim = 32;\nint Twice(int n) => n * 2;");
        assistant.AddSubmission("record Point(int X, int Y);");

        Assert.Contains("latentDim", (await Complete(assistant, "lat|")).Matches);
        Assert.Contains("Twice", (await Complete(assistant, "Tw|")).Matches);
        Assert.Contains("Point", (await Complete(assistant, "var p = new Poi|")).Matches);
        var members = await Complete(assistant, "new Point(1, 2).|");
        Assert.Contains("X", members.Matches);
        Assert.Contains("Y", members.Matches);
        Assert.Equal("property", members.Items.Single(i => i.Text == "X").Type);
    }

    [Fact]
    public async Task Given_a_string_and_the_host_object_When_completing_Then_its_members_and_display_are_offered()
    {
        var assistant = NewAssistant();

        Assert.Contains("Length", (await Complete(assistant, "\"abc\".Len|")).Matches);
        var display = await Complete(assistant, "display|");
        Assert.Contains("display", display.Matches);
        Assert.Equal("method", display.Items.Single(i => i.Text == "display").Type);
    }

    [Fact]
    public async Task Given_polyglot_directives_and_an_emoji_When_completing_Then_positions_are_code_points_of_the_cell()
    {
        var assistant = NewAssistant();
        var (code, cursor) = At("#r \"nuget: AeCourse, 0.1.0\"\n#!time\nvar face = \"😀\"; Console.Wr|");

        var result = await assistant.CompleteAsync(code, cursor);

        Assert.Contains("WriteLine", result.Matches);
        Assert.Equal(cursor, result.CursorEnd);
        Assert.Equal("Wr", Slice(code, result.CursorStart, result.CursorEnd));
        // On the directive itself there is no C# to complete.
        Assert.Empty((await Complete(assistant, "#r \"nuget: AeCo|\"\n")).Matches);
    }

    [Fact]
    public async Task Given_the_cursor_inside_a_word_When_completing_Then_the_whole_word_is_replaced()
    {
        var (code, cursor) = At("var face = \"😀\"; Console.Wr|iteLine(face);");

        var result = await NewAssistant().CompleteAsync(code, cursor);

        Assert.Contains("WriteLine", result.Matches);
        Assert.Equal("WriteLine", Slice(code, result.CursorStart, result.CursorEnd));
    }

    [Theory]
    [InlineData("Math.Sqrt|")]
    [InlineData("Math.Sq|rt")]
    [InlineData("var root = Math.Sqrt(|")]
    public async Task Given_a_method_When_inspecting_Then_its_signature_and_summary_come_back(string marked)
    {
        var (code, cursor) = At(marked);

        var result = await NewAssistant().InspectAsync(code, cursor, detailLevel: 0);

        Assert.NotNull(result);
        Assert.Contains("Sqrt", result.PlainText);
        Assert.Contains("double", result.PlainText);
        Assert.Contains("```csharp", result.Markdown);
        // The summary comes from the SDK's reference pack, present wherever the tests are built.
        if (ReferenceDocumentation.ReferencePack is not null)
            Assert.Contains("square root", result.PlainText);
    }

    [Fact]
    public async Task Given_whitespace_or_an_emoji_before_the_cursor_When_inspecting_Then_only_names_give_an_answer()
    {
        var assistant = NewAssistant();
        var (blank, blankCursor) = At("Math.Sqrt(2.0);\n  |  \n");
        Assert.Null(await assistant.InspectAsync(blank, blankCursor, detailLevel: 0));

        var (code, cursor) = At("var face = \"😀😀\"; face.Len|gth");
        var length = await assistant.InspectAsync(code, cursor, detailLevel: 1);
        Assert.NotNull(length);
        Assert.Contains("int string.Length", length.PlainText);
    }

    [Fact]
    public async Task Given_an_earlier_cell_with_a_documented_method_When_inspecting_Then_its_doc_comment_is_shown()
    {
        var assistant = NewAssistant();
        assistant.AddSubmission("/// <summary>Doubles <paramref name=\"n\"/>.</summary>\nint Twice(int n) => n * 2;");
        var (code, cursor) = At("Twice|(3)");

        var result = await assistant.InspectAsync(code, cursor, detailLevel: 0);

        Assert.NotNull(result);
        Assert.Contains("int Twice(int n)", result.PlainText);
        Assert.Contains("Doubles n.", result.PlainText);
    }

    [Fact]
    public async Task Given_a_package_loaded_later_When_completing_Then_its_types_are_offered()
    {
        var assistant = NewAssistant();
        Assert.DoesNotContain("Assert", (await Complete(assistant, "Xunit.|")).Matches);

        assistant.AddReferences([MetadataReference.CreateFromFile(typeof(Assert).Assembly.Location)]);

        Assert.Contains("Assert", (await Complete(assistant, "Xunit.|")).Matches);
        Assert.Contains("Equal", (await Complete(assistant, "Xunit.Assert.Equ|")).Matches);
    }

    [Fact]
    public async Task Given_requests_from_many_threads_while_cells_run_When_completing_Then_each_gets_its_answer()
    {
        var assistant = NewAssistant();
        var requests = Enumerable.Range(0, 8).Select(i => Task.Run(() => Complete(assistant, i % 2 == 0 ? "Console.Wr|" : "\"abc\".Len|"))).ToList();
        assistant.AddSubmission("var latentDim = 32;");

        var results = await Task.WhenAll(requests);

        for (int i = 0; i < results.Length; i++)
            Assert.Contains(i % 2 == 0 ? "WriteLine" : "Length", results[i].Matches);
        Assert.Contains("latentDim", (await Complete(assistant, "lat|")).Matches);
    }

    [Fact]
    public async Task Given_a_session_with_cells_When_completing_again_Then_the_times_are_reported()
    {
        // Not a benchmark: the times land in the test output, for the record (the target is 300 ms once warm). The
        // first test of a process pays for composing Roslyn's services too.
        var clock = Stopwatch.StartNew();
        var assistant = NewAssistant();
        await assistant.WarmUpAsync();
        var cold = clock.Elapsed;
        for (int cell = 0; cell < 20; cell++)
            assistant.AddSubmission($"var value{cell} = {cell};\nint Times{cell}(int n) => n * {cell};");
        await Complete(assistant, "val|");
        var times = new List<double>();
        foreach (var marked in new[] { "Console.Wr|", "val|", "Math.|", "\"abc\".Len|", "Times1|", "new List<int>().|", "|" })
        {
            clock.Restart();
            var result = await Complete(assistant, marked);
            times.Add(clock.Elapsed.TotalMilliseconds);
            Assert.NotEmpty(result.Matches);
        }
        // The usual case: a cell ran, and the next one's first Tab compiles it.
        assistant.AddSubmission("var latentDim = 32;");
        clock.Restart();
        Assert.Contains("latentDim", (await Complete(assistant, "lat|")).Matches);
        var afterCell = clock.Elapsed;
        output.WriteLine($"construction and warm-up: {cold.TotalMilliseconds:F0} ms; " +
                         $"warm, after 20 cells: {string.Join(", ", times.Select(t => $"{t:F0}"))} ms; " +
                         $"first after one more cell: {afterCell.TotalMilliseconds:F0} ms");
    }

    [Theory]
    [InlineData("var x = 1;", "complete", "")]
    [InlineData("Console.WriteLine(1)", "complete", "")]
    [InlineData("", "complete", "")]
    [InlineData("#r \"nuget: AeCourse, 0.1.0\"\nvar x = 1;", "complete", "")]
    [InlineData("for (int i = 0; i < 3; i++) {", "incomplete", "    ")]
    [InlineData("for (int i = 0; i < 3; i++)\n{\n    if (i > 1) {", "incomplete", "        ")]
    [InlineData("int Twice(int n)\n{", "incomplete", "    ")]
    [InlineData("int Twice(int n)\n{\n    return n * 2;", "incomplete", "    ")]
    [InlineData("int Twice(int n)\n{\n    return n * 2;\n}", "complete", "")]
    [InlineData("Console.WriteLine(", "incomplete", "    ")]
    [InlineData("var x =", "incomplete", "")]
    [InlineData("Foo(@\"abc", "incomplete", "")]
    [InlineData("var s = \"\"\"\n  abc", "incomplete", "")]
    [InlineData("/* a comment", "incomplete", "")]
    [InlineData("var s = $\"total {x", "incomplete", "    ")]
    // A regular string cannot span lines: nothing after the line break can end it.
    [InlineData("\"abc", "invalid", "")]
    [InlineData("var s = $\"abc", "invalid", "")]
    // A closing bracket nothing opened.
    [InlineData("var x = 1; }", "invalid", "")]
    [InlineData("Foo(1]", "invalid", "")]
    public void Given_a_cell_so_far_When_asked_if_complete_Then_roslyn_syntax_decides(string code, string status, string indent)
    {
        Assert.Equal(new CompletenessResult(status, indent), CodeAssistant.IsComplete(code));
    }
}
