using System.Diagnostics;
using AeCourse.Notebooks.Execution;
using AeCourse.Tests.Support;

namespace AeCourse.Tests.Execution;

/// <summary>
/// The execution core on its own, with no kit package loaded: what a cell's outputs are and in which order, that two
/// sessions never mix, and how interrupts, time limits and code that ignores them end a cell.
/// </summary>
public sealed class ExecutionSessionTests : IDisposable
{
    readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    ExecutionSession Session() => new(_dir.Path, "test.ipynb");

    [Fact]
    public async Task Given_a_cell_that_prints_displays_updates_and_ends_with_a_value_When_run_Then_the_outputs_come_in_order()
    {
        var session = Session();
        var sink = new RecordingSink();
        var outcome = await session.ExecuteAsync(new CellRequest(
            "Console.Write(\"one \");\nvar shown = display(1);\nshown.Update(2);\nConsole.Error.WriteLine(\"warn\");\n40 + 2", 3, 7), sink);

        Assert.True(outcome.Succeeded, outcome.Failure?.Message);
        Assert.Equal(["stdout", "display", "update", "stderr", "result"], sink.Events.Select(e => e.Kind));
        var displayId = sink.Events[1].Text.Split(' ')[0];
        Assert.StartsWith(displayId + " ", sink.Events[2].Text);            // the update names the display it replaces
        Assert.Contains("\"text/plain\":\"2\"", sink.Events[2].Text);
        Assert.Equal("42", sink.Events[4].Text);
    }

    [Fact]
    public async Task Given_a_failing_cell_When_run_Then_the_error_names_the_cell_and_later_cells_see_earlier_state()
    {
        var session = Session();
        await session.ExecuteAsync(new CellRequest("var latentDim = 8;", 1, 1), new RecordingSink());
        var failing = new RecordingSink();
        var runtime = await session.ExecuteAsync(new CellRequest("throw new InvalidOperationException(\"no data\");", 2, 2), failing);
        var compile = await session.ExecuteAsync(new CellRequest("int x = \"text\";", 3, 3), new RecordingSink());
        var after = new RecordingSink();
        await session.ExecuteAsync(new CellRequest("latentDim * 2", 4, 4), after);

        Assert.Equal("runtime", runtime.Failure!.Kind);
        Assert.Equal("cell 2: System.InvalidOperationException: no data", runtime.Failure.Message);
        Assert.Contains("test.ipynb, cell 2", failing.Events.Single().Text);   // the stack names the notebook and cell
        Assert.Equal("compile", compile.Failure!.Kind);
        Assert.StartsWith("cell 3, line 1, column 9: error CS0029", compile.Failure.Message);
        Assert.Equal("16", after.Events.Single().Text);
    }

    [Fact]
    public async Task Given_two_sessions_printing_at_once_When_run_Then_each_cell_gets_only_its_own_text()
    {
        var (a, b) = (Session(), Session());
        var (sinkA, sinkB) = (new RecordingSink(), new RecordingSink());
        const string Loop = "for (int i = 0; i < 50; i++) { Console.Write(\"{0}\"); await Task.Delay(1); }";
        await Task.WhenAll(
            a.ExecuteAsync(new CellRequest(Loop.Replace("{0}", "a"), 1, 1), sinkA),
            b.ExecuteAsync(new CellRequest(Loop.Replace("{0}", "b"), 1, 1), sinkB));

        Assert.Equal(new string('a', 50), sinkA.Text("stdout"));
        Assert.Equal(new string('b', 50), sinkB.Text("stdout"));
    }

    [Fact]
    public async Task Given_a_loop_that_checks_the_interrupt_When_interrupted_Then_the_cell_ends_as_interrupted_with_its_message()
    {
        var session = Session();
        using var interrupt = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var code = """
            int step = 0;
            var cell = AeCourse.Notebooks.Execution.CellContext.Current!;
            while (!cell.Interrupt.IsCancellationRequested) { step++; System.Threading.Thread.Sleep(5); }
            throw new OperationCanceledException($"interrupted after step {step}");
            """;
        var outcome = await session.ExecuteAsync(new CellRequest(code, 5, 5) { Interrupt = interrupt.Token }, new RecordingSink());

        Assert.Equal("interrupted", outcome.Failure!.Kind);
        Assert.Matches(@"^cell 5: interrupted after step \d+$", outcome.Failure.Message);
    }

    [Fact]
    public async Task Given_a_loop_that_never_checks_When_interrupted_Then_the_cell_is_reported_as_not_stopping_and_keeps_running()
    {
        var session = Session();
        var release = _dir["release"];
        var sink = new RecordingSink();
        var warned = new TaskCompletionSource();
        sink.Recorded += e => { if (e.Kind == "stderr") warned.TrySetResult(); };
        using var interrupt = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        // Spins without ever looking at the interrupt, as a student's while (true) would; the file lets the test end it.
        var run = session.ExecuteAsync(new CellRequest($"while (!System.IO.File.Exists(@\"{release}\")) {{ }}", 1, 1)
        {
            Interrupt = interrupt.Token, StopGrace = TimeSpan.FromMilliseconds(300),
        }, sink);

        await warned.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Contains("did not stop when interrupted", sink.Text("stderr"));
        Assert.Contains("restart the kernel", sink.Text("stderr"));
        Assert.False(run.IsCompleted);                          // still running: only a restart stops it
        File.WriteAllText(release, "");
        var outcome = await run.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(outcome.Succeeded);                         // it ended on its own, without an exception to report
    }

    [Fact]
    public async Task Given_a_cell_over_its_time_limit_When_it_does_not_stop_Then_it_is_abandoned_as_timed_out()
    {
        var session = Session();
        var clock = Stopwatch.StartNew();
        var outcome = await session.ExecuteAsync(new CellRequest("System.Threading.Thread.Sleep(3000);", 2, 2)
        {
            Timeout = TimeSpan.FromMilliseconds(200), StopGrace = TimeSpan.FromMilliseconds(100),
        }, new RecordingSink());

        Assert.Equal("timeout", outcome.Failure!.Kind);
        Assert.True(outcome.Abandoned);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2.5), $"waited {clock.Elapsed} for a cell that was abandoned after 0.3 s");
    }

    [Fact]
    public async Task Given_the_engine_without_the_kit_When_a_cell_asks_for_a_package_Then_it_fails_saying_why()
    {
        var sink = new RecordingSink();
        var outcome = await Session().ExecuteAsync(new CellRequest("#r \"nuget: AeCourse, 0.1.0\"\n1", 1, 1), sink);

        Assert.Equal("package", outcome.Failure!.Kind);
        Assert.Contains("'AeCourse'", outcome.Failure.Message);
        Assert.Contains("without a package provider", outcome.Failure.Message);
        Assert.Contains("without a package provider", sink.Events.Single().Text);
    }
}
