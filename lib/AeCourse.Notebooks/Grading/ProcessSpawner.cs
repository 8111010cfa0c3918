using System.Collections.Concurrent;
using System.Diagnostics;

namespace AeCourse.Notebooks.Grading;

/// <summary>
/// Starts the grader's child processes from one thread that lives as long as the grader. bubblewrap's
/// <c>--die-with-parent</c> (Linux's <c>PR_SET_PDEATHSIG</c>) fires when the <em>thread</em> that started it ends, not
/// the process: a worker started from a thread-pool thread is killed when the pool retires that thread, 20 s after it
/// fell idle, in the middle of a cell. Starting every worker here also serializes the starts, so a child inherits only
/// the pipe made for it.
/// </summary>
internal static class ProcessSpawner
{
    static readonly BlockingCollection<Action> Pending = [];

    static ProcessSpawner() => new Thread(() => { foreach (var start in Pending.GetConsumingEnumerable()) start(); })
    {
        IsBackground = true,
        Name = "grading worker starter",
    }.Start();

    /// <summary>Runs <paramref name="start"/> (which starts a process) on the starter thread and returns what it returns.</summary>
    public static T Run<T>(Func<T> start)
    {
        var result = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        Pending.Add(() =>
        {
            try { result.SetResult(start()); }
            catch (Exception e) { result.SetException(e); }
        });
        return result.Task.GetAwaiter().GetResult();
    }

    /// <summary>Starts <paramref name="info"/> on the starter thread.</summary>
    public static Process Start(ProcessStartInfo info) =>
        Run(() => Process.Start(info) ?? throw new InvalidOperationException($"could not start {info.FileName}"));
}
