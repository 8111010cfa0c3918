using System.Text.Json.Nodes;
using AeCourse.Tests.Support;
using static AeCourse.Tests.Support.NotebookCorpus;

namespace AeCourse.Tests;

/// <summary>
/// `aecourse run` on the corpus under tests/notebooks, in child processes as a user runs it. Every executed notebook
/// must pass Jupyter's own validator.
/// </summary>
public sealed class NotebookEngineTests : IDisposable
{
    readonly NotebookCorpus _corpus = new();

    public void Dispose() => _corpus.Dispose();

    (AeCourseCommand.Result Result, JsonObject Executed) RunValid(string name, params string[] options)
    {
        var run = _corpus.Run(name, options);
        var problem = ValidateWithNbformat(_corpus[Path.GetFileNameWithoutExtension(name) + ".out.ipynb"]);
        Assert.True(problem is null, $"nbformat rejects the executed {name}: {problem}");
        return run;
    }

    [Fact]
    public void Given_every_directive_When_run_Then_packages_dlls_scripts_and_timing_work()
    {
        var (result, executed) = RunValid("directives.ipynb");
        Assert.True(result.ExitCode == 0, result.Stderr);
        var cells = CodeCells(executed);

        // #i with an absolute source accepted, #r "nuget:" answered from the kit's packages; the trailing expression is the cell's result.
        var seed = Outputs(cells[0]).Single(o => o["output_type"]!.GetValue<string>() == "execute_result");
        Assert.Equal("1", seed["data"]!["text/plain"]!.GetValue<string>());
        Assert.Equal(1, seed["execution_count"]!.GetValue<int>());
        // #r "Greeter.dll" and #load "helpers.csx", both relative to the notebook.
        Assert.Equal("hello, engine\n42\n", Stream(cells[1], "stdout"));
        // #!time reports the wall time as the kernel does.
        Assert.Matches(@"^Wall time: \d+(\.\d+)?ms\n$", Stream(cells[2], "stdout"));
        Assert.Equal([1, 2, 3], cells.Select(c => c["execution_count"]!.GetValue<int>()));
    }

    [Fact]
    public void Given_every_output_kind_When_run_Then_each_is_stored_as_polyglot_does()
    {
        var (result, executed) = RunValid("outputs.ipynb");
        Assert.True(result.ExitCode == 0, result.Stderr);
        var cells = CodeCells(executed);

        // Streams: consecutive stdout writes merge; stderr is its own stream.
        Assert.Equal("to stdout\n", Stream(cells[0], "stdout").Split("more")[0]);
        Assert.Equal("to stderr\n", Stream(cells[0], "stderr"));
        // display(x), x.Display() and the trailing expression, in order.
        var outputs = Outputs(cells[1]);
        Assert.Equal(["display_data", "display_data", "execute_result"], outputs.Select(o => o["output_type"]!.GetValue<string>()));
        Assert.Equal("[ 1, 2, 3 ]", outputs[0]["data"]!["text/plain"]!.GetValue<string>());
        Assert.Equal("shown with Display()", outputs[1]["data"]!["text/plain"]!.GetValue<string>());
        Assert.Equal("42", outputs[2]["data"]!["text/plain"]!.GetValue<string>());
        // The kit's picture: image/png (a real PNG), text/html and text/plain, from its formatter source.
        var picture = Outputs(cells[2]).Single()["data"]!.AsObject();
        var png = Convert.FromBase64String(picture["image/png"]!.GetValue<string>());
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        Assert.Contains("<img src=\"data:image/png;base64,", picture["text/html"]!.GetValue<string>());
        Assert.Contains("a ramp", picture["text/plain"]!.GetValue<string>());
        // The kit's chart: an interactive Plotly figure with both series.
        var chart = Outputs(cells[3]).Single()["data"]!["text/html"]!.GetValue<string>();
        Assert.Contains("Plotly.newPlot", chart);
        Assert.Contains("\"name\":\"test\"", chart);
        // A display updated in place keeps only its final state.
        var progress = Assert.Single(Outputs(cells[4]));
        Assert.Equal("epoch 3 of 3", progress["data"]!["text/plain"]!.GetValue<string>());
        // A cell ending in a declaration has no result.
        Assert.Empty(Outputs(cells[5]));
        // The trainer's progress in a notebook: one display left at its final state, no lines on stdout.
        var training = Outputs(cells[6]);
        Assert.Equal(["display_data", "execute_result"], training.Select(o => o["output_type"]!.GetValue<string>()));
        Assert.Contains("<progress max=\"1\" value=\"1.0000\">", training[0]["data"]!["text/html"]!.GetValue<string>());
        Assert.Matches(@"^\[#{24}\] epoch 2/2 train_loss \d", training[0]["data"]!["text/plain"]!.GetValue<string>());
        Assert.Equal("2", training[1]["data"]!["text/plain"]!.GetValue<string>());
    }

    [Fact]
    public void Given_a_compile_error_When_run_Then_cell_line_and_column_are_reported_and_the_run_stops()
    {
        var (result, executed) = RunValid("compile-error.ipynb");
        Assert.Equal(1, result.ExitCode);
        // `var b = a +;` — the expression is missing at line 1, column 12 of cell 2.
        Assert.Contains("cell 2, line 1, column 12: error CS1525", result.Stderr);
        var cells = CodeCells(executed);
        var error = Outputs(cells[1]).Single();
        Assert.Equal("error", error["output_type"]!.GetValue<string>());
        Assert.Contains("cell 2, line 1, column 12", error["evalue"]!.GetValue<string>());
        Assert.Null(cells[2]["execution_count"]);   // not run
    }

    [Fact]
    public void Given_a_runtime_exception_When_run_Then_type_message_and_a_traceback_into_the_cell_are_stored()
    {
        var (result, executed) = RunValid("runtime-error.ipynb");
        Assert.Equal(1, result.ExitCode);
        var cells = CodeCells(executed);
        Assert.Equal("before\n", Stream(cells[1], "stdout"));
        var error = Outputs(cells[1]).Single(o => o["output_type"]!.GetValue<string>() == "error");
        Assert.Equal("System.DivideByZeroException", error["ename"]!.GetValue<string>());
        Assert.Equal("Attempted to divide by zero.", error["evalue"]!.GetValue<string>());
        var traceback = string.Join("\n", error["traceback"]!.AsArray().Select(l => l!.GetValue<string>()));
        Assert.Contains("runtime-error.ipynb, cell 1:line 1", traceback);   // Divide, defined in cell 1
        Assert.Contains("runtime-error.ipynb, cell 2:line 2", traceback);   // called from cell 2
        Assert.Null(cells[2]["execution_count"]);
    }

    [Fact]
    public void Given_allow_errors_When_a_cell_throws_Then_the_rest_still_runs_and_the_exit_code_says_it_failed()
    {
        var (result, executed) = RunValid("runtime-error.ipynb", "--allow-errors");
        Assert.Equal(1, result.ExitCode);
        Assert.Equal("after the error\n", Stream(CodeCells(executed)[2], "stdout"));
    }

    [Fact]
    public void Given_a_cell_that_never_ends_When_its_time_runs_out_Then_it_is_stopped_reported_and_the_notebook_saved()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (result, executed) = RunValid("timeout.ipynb", "--cell-timeout", "5");
        Assert.Equal(3, result.ExitCode);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"took {clock.Elapsed}");
        var cells = CodeCells(executed);
        Assert.Equal("starting\n", Stream(cells[0], "stdout"));
        var error = Outputs(cells[1]).Single();
        Assert.Equal("CellTimeout", error["ename"]!.GetValue<string>());
        Assert.Contains("cell 2 ran over its time limit of 5 s", error["evalue"]!.GetValue<string>());
        Assert.Null(cells[2]["execution_count"]);
    }

    [Fact]
    public void Given_a_notebook_time_limit_When_it_runs_out_Then_the_run_stops_there()
    {
        var (result, _) = _corpus.Run("timeout.ipynb", "--timeout", "3");
        Assert.Equal(3, result.ExitCode);
        Assert.Contains("ran over its time limit of", result.Stderr);
    }

    [Fact]
    public void Given_parameters_When_run_Then_an_injected_cell_follows_the_parameters_cell_with_typed_values()
    {
        var (result, executed) = RunValid("parameters.ipynb", "-p", "epochs=3", "-p", "lr=0.01", "-p", "dataset=mnist", "--quick");
        Assert.True(result.ExitCode == 0, result.Stderr);
        var cells = CodeCells(executed);
        Assert.Equal(["injected-parameters"], cells[1]["metadata"]!["tags"]!.AsArray().Select(t => t!.GetValue<string>()));
        var injected = string.Concat(cells[1]["source"]!.AsArray().Select(l => l!.GetValue<string>()));
        Assert.Contains("int epochs = 3;", injected);
        Assert.Contains("double lr = 0.01;", injected);
        Assert.Contains("string dataset = \"mnist\";", injected);
        Assert.Contains("bool quick = true;", injected);
        Assert.Equal("epochs=3 lr=0.01 quick=True dataset=mnist\n", Stream(cells[2], "stdout"));
    }

    [Theory]
    [InlineData("epochs=three", "parameter 'epochs' is int, but 'three' is not a int")]
    [InlineData("batch=64", "parameter 'batch' is not declared in the parameters cell")]
    public void Given_a_bad_parameter_When_run_Then_exit_2_with_a_message_naming_it(string parameter, string message)
    {
        var (result, _) = _corpus.Run("parameters.ipynb", "-p", parameter);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Stderr);
    }

    [Fact]
    public void Given_cells_for_other_kernels_unknown_magics_and_foreign_packages_When_run_with_allow_errors_Then_each_is_named()
    {
        var (result, executed) = RunValid("other-kernels.ipynb", "--allow-errors");
        Assert.Equal(1, result.ExitCode);
        var messages = CodeCells(executed).Select(c => Outputs(c).FirstOrDefault(o => o["output_type"]!.GetValue<string>() == "error")?["evalue"]?.GetValue<string>()).ToList();
        Assert.Null(messages[0]);
        Assert.Contains("cell 2 is for the fsharp kernel (#!fsharp)", messages[1]);
        Assert.Contains("cell 3 is for the pwsh kernel (metadata kernelName)", messages[2]);
        Assert.Contains("unknown magic command '#!magic-that-does-not-exist'", messages[3]);
        Assert.Contains("package 'Newtonsoft.Json' is not one the kit provides", messages[4]);
        Assert.Contains("package 'TorchSharp-cpu' version 0.106.0 was asked for; the kit provides 0.107.0", messages[5]);
        // The real kernel cannot use a relative package source ("Invalid URI"), so the engine refuses it too.
        Assert.Contains("cell 7: #i \"nuget: ../artifacts/packages\" is a relative package source, which Polyglot Notebooks rejects", messages[6]);
    }

    [Fact]
    public void Given_a_notebook_that_trains_When_run_Then_the_console_names_each_cell_of_how_many_mirrors_the_progress_and_ends_with_the_headlines()
    {
        var (result, _) = RunValid("progress.ipynb");
        Assert.True(result.ExitCode == 0, result.Stderr);
        // Redirected (as here and in CI): a line per code cell, with its first line of code; the trainer's last progress.
        Assert.Contains("progress.ipynb: [1/3] cell 2: using AeCourse.Models;", result.Stderr);
        Assert.Contains("progress.ipynb: [2/3] cell 3: var x = torch.rand(512, 1, 28, 28);", result.Stderr);
        Assert.Matches(@"progress\.ipynb: \[2/3\] cell 3 · \[#{24}\] epoch 3/3 train_loss \d", result.Stderr);
        Assert.Contains("progress.ipynb: [3/3] cell 4:", result.Stderr);
        // The summary: outcome, cells and time, then what the cells tagged headline printed.
        Assert.Matches(@"^progress\.ipynb: ran \(3 code cells\) in \d+\.\d s; wrote .*\n  epochs trained: 3\n$", result.Stdout);
    }

    [Fact]
    public void Given_quiet_When_a_notebook_runs_Then_only_the_summary_is_printed()
    {
        var (result, _) = RunValid("progress.ipynb", "--quiet");
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal("", result.Stderr);
        Assert.EndsWith("\n  epochs trained: 3\n", result.Stdout);
    }

    [Fact]
    public void Given_a_failing_cell_When_run_Then_the_summary_names_the_failure()
    {
        var (result, _) = _corpus.Run("runtime-error.ipynb");
        Assert.Equal(1, result.ExitCode);
        Assert.Matches(@"runtime-error\.ipynb: failed \(\d+ code cells\) in .*\n  cell \d+: System\.", result.Stdout);
    }

    [Fact]
    public void Given_a_file_that_is_not_a_notebook_When_run_Then_exit_2_naming_the_file()
    {
        File.WriteAllText(_corpus["broken.ipynb"], "{ \"cells\": [ ");
        var result = AeCourseCommand.Run("run", _corpus["broken.ipynb"]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(_corpus["broken.ipynb"] + ": not valid JSON", result.Stderr);
    }
}
