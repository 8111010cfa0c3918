using System.Diagnostics;
using AeCourse.Notebooks.Grading;

namespace AeCourse.Tests;

/// <summary>
/// bubblewrap's --die-with-parent ends the sandbox when the thread that started it ends: the grader starts its workers
/// from a thread of its own, which lives as long as the grader.
/// </summary>
public sealed class ProcessSpawnerTests
{
    /// <summary>A process under bubblewrap that would sleep for 30 s, ending with the thread that started it.</summary>
    static ProcessStartInfo SandboxedSleep()
    {
        var start = new ProcessStartInfo("bwrap") { UseShellExecute = false };
        foreach (var a in new[] { "--unshare-user", "--ro-bind", "/", "/", "--die-with-parent", "/bin/sleep", "30" }) start.ArgumentList.Add(a);
        return start;
    }

    /// <summary>
    /// Starts a process with <paramref name="start"/> on a short-lived thread, which lives on a moment (bubblewrap names its
    /// parent thread once it runs, as a thread-pool thread that goes on awaiting would) and then ends; waits a second.
    /// </summary>
    static Process StartedFromEndedThread(Func<ProcessStartInfo, Process> start)
    {
        Process? process = null;
        var thread = new Thread(() =>
        {
            process = start(SandboxedSleep());
            Thread.Sleep(1000);
        });
        thread.Start();
        thread.Join();
        process!.WaitForExit(1000);
        return process;
    }

    [Fact]
    public void Given_a_sandbox_started_from_a_thread_that_then_ends_When_started_directly_Then_it_dies_with_that_thread()
    {
        // The hazard itself: what happened to workers started from the thread pool.
        using var process = StartedFromEndedThread(info => Process.Start(info)!);
        Assert.True(process.HasExited, "the sandbox outlived the thread that started it");
    }

    [Fact]
    public void Given_a_sandbox_started_from_a_thread_that_then_ends_When_started_by_the_spawner_Then_it_runs_on()
    {
        using var process = StartedFromEndedThread(ProcessSpawner.Start);
        try { Assert.False(process.HasExited, $"the sandbox ended with code {(process.HasExited ? process.ExitCode : 0)}"); }
        finally { process.Kill(); }
    }
}
