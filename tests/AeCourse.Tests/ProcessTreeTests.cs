using System.Diagnostics;
using System.Globalization;
using AeCourse.Notebooks.Grading;
using AeCourse.Tests.Support;

namespace AeCourse.Tests;

/// <summary>
/// The grader's count of a worker's processes and memory (<c>ProcessTree</c>), on real processes: a shell with two
/// children, measured against what <c>ps</c> reports of the same processes; and a listing gone stale, in which an id
/// the tree held now belongs to another process, which must not be counted (ids are reused quickly where only 32,768
/// exist and other work forks fast: a lecture's worker was once charged with another process's gigabytes that way).
/// </summary>
public sealed class ProcessTreeTests : IDisposable
{
    readonly Process _shell;
    readonly int[] _children;

    public ProcessTreeTests()
    {
        // Two children that print their ids and then wait; the shell waits for them.
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true };
        foreach (var a in new[] { "-c", "sleep 60 & echo $!; sleep 60 & echo $!; wait" }) start.ArgumentList.Add(a);
        _shell = Process.Start(start)!;
        _children = [int.Parse(_shell.StandardOutput.ReadLine()!, CultureInfo.InvariantCulture), int.Parse(_shell.StandardOutput.ReadLine()!, CultureInfo.InvariantCulture)];
    }

    public void Dispose()
    {
        _shell.Kill(entireProcessTree: true);
        _shell.WaitForExit();
        _shell.Dispose();
    }

    [Fact]
    public void Given_a_shell_with_two_children_When_measured_Then_it_counts_three_processes_and_the_memory_ps_reports()
    {
        var (count, bytes) = ProcessTree.Measure(_shell.Id);

        Assert.Equal(3, count);
        // ps reads the same resident sets (in KiB); sleep and a waiting shell do not grow, but allow a few pages.
        var ps = NpmTools.Run("ps", "/", TimeSpan.FromSeconds(30), ["-o", "rss=", "-p", string.Join(',', _children.Prepend(_shell.Id))]);
        long expected = ps.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Sum(l => long.Parse(l.Trim(), CultureInfo.InvariantCulture)) * 1024;
        Assert.InRange(bytes, expected - 64 * 1024, expected + 64 * 1024);
    }

    [Fact]
    public void Given_a_stale_listing_When_an_id_now_belongs_to_another_process_Then_that_process_is_not_counted()
    {
        var listing = ProcessTree.Listing().ToList();
        var me = ProcessTree.Read(Environment.ProcessId)!.Value;   // the test host: hundreds of MB, in no way the shell's
        var child = listing.Single(p => p.Pid == _children[0]);
        var stale = listing.Where(p => p.Pid != me.Pid)
            .Append(me with { Parent = _shell.Id })                       // listed under the shell, but its parent is another
            .Select(p => p.Pid == child.Pid ? p with { Started = p.Started + 1 } : p)   // same id and parent, another start
            .ToList();

        var (count, bytes) = ProcessTree.Measure(_shell.Id, stale);

        Assert.Equal(2, count);   // the shell and its second child
        Assert.True(bytes < ProcessTree.Measure(Environment.ProcessId).Bytes / 4, $"{bytes} bytes: the test host was counted");
    }
}
