using AeCourse.Cli.Hosting;
using AeCourse.Notebooks.Execution;
using AeCourse.Notebooks.Format;
using AeCourse.Tests.Support;

namespace AeCourse.Tests;

public sealed class NotebookFormatTests : IDisposable
{
    readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    public static TheoryData<string> RepositoryNotebooks()
    {
        var data = new TheoryData<string>();
        foreach (var folder in new[] { "tests/notebooks", "source", "notebooks" })
            foreach (var file in Directory.GetFiles(Path.Combine(TestPaths.Repo, folder), "*.ipynb").Order())
                data.Add(Path.GetRelativePath(TestPaths.Repo, file));
        return data;
    }

    [Theory]
    [MemberData(nameof(RepositoryNotebooks))]
    public void Given_a_notebook_of_the_repository_When_read_and_written_Then_the_bytes_are_identical(string relativePath)
    {
        var path = Path.Combine(TestPaths.Repo, relativePath);
        Assert.Equal(File.ReadAllText(path), Notebook.Read(path).Serialize());
    }

    [Fact]
    public void Given_a_notebook_written_by_vscode_When_read_and_written_Then_every_byte_is_kept()
    {
        // Written by hand in VS Code's exact layout: one-space indent, sorted keys, non-ASCII as is, \u001b escapes,
        // unknown metadata (vscode.languageId), an F# cell, number spellings (1.0e3) and a final newline.
        var path = Path.Combine(TestPaths.Repo, "tests", "notebooks", "vscode-written.ipynb");
        var original = File.ReadAllBytes(path);
        var notebook = Notebook.Read(path);
        notebook.Write(_dir["copy.ipynb"]);
        Assert.Equal(original, File.ReadAllBytes(_dir["copy.ipynb"]));
        Assert.Equal("fsharp", notebook.Cells[3].KernelName);
        Assert.Contains("🧠", notebook.Cells[0].Source);
    }

    [Fact]
    public void Given_other_layouts_When_round_tripped_Then_indent_and_final_newline_are_kept()
    {
        const string twoSpaces = "{\n  \"cells\": [],\n  \"metadata\": {\n    \"custom\": {\"x\": 1}\n  },\n  \"nbformat\": 4,\n  \"nbformat_minor\": 5\n}";
        var notebook = Notebook.Parse(twoSpaces, "two.ipynb");
        Assert.Equal("{\n  \"cells\": [],\n  \"metadata\": {\n    \"custom\": {\n      \"x\": 1\n    }\n  },\n  \"nbformat\": 4,\n  \"nbformat_minor\": 5\n}", notebook.Serialize());
    }

    [Theory]
    [InlineData("{ \"cells\": [", "not valid JSON")]
    [InlineData("[1, 2]", "the top level is not a JSON object")]
    [InlineData("{ \"cells\": [] }", "no \"nbformat\" version")]
    [InlineData("{ \"nbformat\": 3, \"worksheets\": [] }", "nbformat 3 is not supported")]
    [InlineData("{ \"nbformat\": 4, \"metadata\": {} }", "no \"cells\" array")]
    public void Given_a_file_that_is_not_an_nbformat_4_notebook_When_read_Then_the_error_names_the_file_and_the_fault(string json, string problem)
    {
        File.WriteAllText(_dir["bad.ipynb"], json);
        var e = Assert.Throws<NotebookFormatException>(() => Notebook.Read(_dir["bad.ipynb"]));
        Assert.StartsWith(_dir["bad.ipynb"] + ": ", e.Message);
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void Given_a_new_notebook_When_written_Then_it_carries_the_polyglot_metadata_and_nbformat_accepts_it()
    {
        var notebook = Notebook.CreatePolyglot(_dir["new.ipynb"]);
        notebook.Cells.Add(NotebookCell.Markdown("# Title\ntext"));
        notebook.Cells.Add(NotebookCell.Code("var x = 1;\nx", tags: ["parameters"]));
        notebook.Write();

        Assert.Null(NotebookCorpus.ValidateWithNbformat(_dir["new.ipynb"]));
        var read = Notebook.Read(_dir["new.ipynb"]);
        Assert.Equal(".net-csharp", read.Metadata["kernelspec"]!["name"]!.GetValue<string>());
        Assert.Equal("polyglot-notebook", read.Metadata["language_info"]!["name"]!.GetValue<string>());
        Assert.Equal("csharp", read.Metadata["polyglot_notebook"]!["kernelInfo"]!["defaultKernelName"]!.GetValue<string>());
        Assert.Equal("csharp", read.Cells[1].KernelName);
        Assert.Equal(["parameters"], read.Cells[1].Tags);
        // Source is stored as nbformat lines: each keeps its newline but the last.
        Assert.Equal(["var x = 1;\n", "x"], read.Cells[1].Node["source"]!.AsArray().Select(l => l!.GetValue<string>()));
    }

    [Fact]
    public async Task Given_an_executed_notebook_When_run_again_with_other_parameters_Then_the_injected_cell_is_replaced_not_added()
    {
        var notebook = Notebook.Read(Path.Combine(TestPaths.Repo, "tests", "notebooks", "parameters.ipynb"));
        var first = await NotebookRunner.RunAsync(notebook, new RunOptions { Packages = KitPackages.Instance, Parameters = new Dictionary<string, string> { ["epochs"] = "3" } });
        var second = await NotebookRunner.RunAsync(first.Notebook, new RunOptions { Packages = KitPackages.Instance, Parameters = new Dictionary<string, string> { ["epochs"] = "4" } });

        Assert.True(second.Succeeded, string.Join("\n", second.Failures));
        Assert.Equal(notebook.Cells.Count + 1, second.Notebook.Cells.Count);
        Assert.Contains("int epochs = 4;", second.Notebook.Cells[2].Source);
        Assert.Equal("epochs=4 lr=0.001 quick=False dataset=fashion-mnist\n", NotebookCorpus.Stream(second.Notebook.Cells[3].Node, "stdout"));
    }
}
