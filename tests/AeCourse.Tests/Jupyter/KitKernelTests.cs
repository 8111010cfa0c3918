using System.Diagnostics;
using System.Text.Json.Nodes;
using AeCourse.Tests.Support;
using Xunit.Abstractions;

namespace AeCourse.Tests.Jupyter;

/// <summary>
/// The kit's Jupyter kernel as Jupyter runs it: registered with <c>aecourse kernel install</c>, started by
/// jupyter_client's KernelManager from the kernelspec, and driven by its BlockingKernelClient through every message type,
/// a forged signature, an interrupt during real training, a loop that ignores its interrupt, a restart and a shutdown
/// (tests/AeCourse.Tests/Jupyter/drive_kernel.py, Debian's python3-jupyter-client).
/// </summary>
public sealed class KitKernelTests(ITestOutputHelper log) : IDisposable
{
    readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>Installs the kernelspec into a private Jupyter folder; returns the environment that makes Jupyter find it.</summary>
    Dictionary<string, string> InstallKernel()
    {
        var install = AeCourseCommand.Run("kernel", "install", "--path", _dir["jupyter/kernels"]);
        Assert.True(install.ExitCode == 0, install.Stderr);
        return new Dictionary<string, string>
        {
            ["JUPYTER_PATH"] = _dir["jupyter"],
            ["JUPYTER_DATA_DIR"] = _dir["data"],      // connection files go under it, not the user's folder
            ["JUPYTER_CONFIG_DIR"] = _dir["config"],
        };
    }

    [Fact]
    public async Task Given_the_installed_kernelspec_When_jupyter_client_drives_the_kernel_Then_every_message_type_interrupt_and_restart_work()
    {
        var environment = InstallKernel();
        var spec = JsonNode.Parse(File.ReadAllText(_dir["jupyter/kernels/.net-csharp/kernel.json"]))!;
        Assert.Equal("message", spec["interrupt_mode"]!.GetValue<string>());
        Assert.True(File.Exists(_dir["jupyter/kernels/.net-csharp/logo-64x64.png"]));
        var work = Directory.CreateDirectory(_dir["work"]).FullName;

        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(TestPaths.Repo, "tests", "AeCourse.Tests", "Jupyter", "drive_kernel.py"));
        start.ArgumentList.Add(work);
        start.ArgumentList.Add(_dir["kernel.log"]);
        foreach (var (k, v) in environment) start.Environment[k] = v;
        using var driver = Process.Start(start)!;
        var stdoutRead = driver.StandardOutput.ReadToEndAsync();
        var stderrRead = driver.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try { await driver.WaitForExitAsync(limit.Token); }
        catch (OperationCanceledException) { driver.Kill(entireProcessTree: true); }
        var (stdout, stderr) = (await stdoutRead, await stderrRead);
        log.WriteLine(stdout);
        var kernelLog = File.Exists(_dir["kernel.log"]) ? File.ReadAllText(_dir["kernel.log"]) : "";
        Assert.True(driver.HasExited && driver.ExitCode == 0, $"{stdout}\n{stderr}\nkernel's log:\n{kernelLog}");
        Assert.Contains("all checks passed", stdout);
        Assert.Contains("signature", kernelLog);   // the forged request was logged as rejected
    }

    [Fact]
    public void Given_another_kernels_spec_under_the_name_When_installing_Then_it_is_kept_unless_forced()
    {
        var kernels = _dir["jupyter/kernels"];
        Directory.CreateDirectory(Path.Combine(kernels, ".net-csharp"));
        // What .NET Interactive's `dotnet interactive jupyter install` writes.
        File.WriteAllText(Path.Combine(kernels, ".net-csharp", "kernel.json"),
            """{"argv": ["dotnet", "interactive", "jupyter", "--default-kernel", "csharp", "{connection_file}"], "display_name": ".NET (C#)", "language": "C#"}""");

        var refused = AeCourseCommand.Run("kernel", "install", "--path", kernels);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("another kernel", refused.Stderr);
        Assert.Contains("--force", refused.Stderr);
        Assert.Contains("interactive", File.ReadAllText(Path.Combine(kernels, ".net-csharp", "kernel.json")));   // untouched

        var forced = AeCourseCommand.Run("kernel", "install", "--path", kernels, "--force");
        Assert.True(forced.ExitCode == 0, forced.Stderr);
        var spec = JsonNode.Parse(File.ReadAllText(Path.Combine(kernels, ".net-csharp", "kernel.json")))!;
        Assert.Equal(["kernel", "-f", "{connection_file}"], spec["argv"]!.AsArray().TakeLast(3).Select(a => a!.GetValue<string>()));
        Assert.NotNull(spec["metadata"]!["aecourse"]);
        Assert.Empty(Directory.GetDirectories(kernels, ".*installing*"));   // no staging folder left behind

        var removeOther = AeCourseCommand.Run("kernel", "remove", "--path", kernels, "--name", "missing");
        Assert.Equal(0, removeOther.ExitCode);
        Assert.Contains("no kernelspec missing", removeOther.Stdout);
        var removed = AeCourseCommand.Run("kernel", "remove", "--path", kernels);
        Assert.True(removed.ExitCode == 0, removed.Stderr);
        Assert.False(Directory.Exists(Path.Combine(kernels, ".net-csharp")));
    }

    [Fact]
    public void Given_an_installed_kernelspec_When_listing_Then_jupyters_search_path_is_read_and_the_kits_is_marked()
    {
        var environment = InstallKernel();
        Directory.CreateDirectory(_dir["jupyter/kernels/python3"]);
        File.WriteAllText(_dir["jupyter/kernels/python3/kernel.json"], """{"argv": ["python3"], "display_name": "Python 3", "language": "python"}""");

        var list = AeCourseCommand.Run(environment, "kernel", "list");

        Assert.Equal(0, list.ExitCode);
        var lines = list.Stdout.Split('\n');
        Assert.Contains(lines, l => l.StartsWith("* .net-csharp") && l.Contains(_dir["jupyter/kernels/.net-csharp"]) && l.Contains("AeCourse"));
        Assert.Contains(lines, l => l.StartsWith("  python3") && !l.Contains("AeCourse"));
    }

    [Theory]
    [InlineData("""{"ip": "0.0.0.0", "transport": "tcp", "shell_port": 1, "iopub_port": 2, "stdin_port": 3, "control_port": 4, "hb_port": 5, "key": "k", "signature_scheme": "hmac-sha256"}""", "127.0.0.1")]
    [InlineData("""{"ip": "127.0.0.1", "transport": "tcp", "shell_port": 1, "iopub_port": 2, "stdin_port": 3, "control_port": 4, "hb_port": 5, "key": "", "signature_scheme": "hmac-sha256"}""", "key")]
    public void Given_a_connection_file_the_kernel_refuses_When_started_Then_it_exits_2_naming_the_file(string json, string named)
    {
        File.WriteAllText(_dir["connection.json"], json);
        var run = AeCourseCommand.Run("kernel", "-f", _dir["connection.json"]);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(_dir["connection.json"], run.Stderr);
        Assert.Contains(named, run.Stderr);
    }
}
