using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using AeCourse.Notebooks.Execution;
using AeCourse.Notebooks.Format;
using AeCourse.Tests.Support;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace AeCourse.Tests.Jupyter;

/// <summary>
/// A student's session in a real browser: Debian's Jupyter Notebook 6, served on 127.0.0.1 by the test, opened in
/// Debian's Chromium through Playwright. Lecture 06 (quick mode; of the lectures with a training, a picture and a chart,
/// the one that runs shortest, since every lecture also runs in this kernel through nbclient) runs with Cell › Run All
/// on the kit's kernel, which the lecture's kernelspec picks by itself; its picture, chart and live progress appear; then
/// Kernel › Interrupt stops a long training appended to it.
/// </summary>
public sealed class NotebookBrowserTests(KitKernelInstall kernel, ITestOutputHelper log) : IClassFixture<KitKernelInstall>, IDisposable
{
    readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Given_a_lecture_in_Jupyter_Notebook_When_run_all_then_interrupted_Then_pictures_charts_and_progress_show_and_the_training_stops()
    {
        var notebook = Notebook.Read(Path.Combine(TestPaths.Repo, "source", "06-beta-vae.ipynb"));
        Parameters.Inject(notebook, new Dictionary<string, string> { ["quick"] = "true" });
        notebook.Cells.Add(NotebookCell.Code("""
            var longModel = new AeCourse.Models.DenseAutoencoder(784, [64], 8);
            var longX = TorchSharp.torch.rand(4096, 784);
            new AeCourse.Training.Trainer(longModel, TorchSharp.torch.optim.Adam(longModel.parameters(), lr: 1e-3),
                    (xb, _) => AeCourse.Losses.Reconstruction.BcePerPixel(longModel.forward(xb), xb))
                .Fit(longX, null, new AeCourse.Training.TrainerOptions { Epochs = 1000, BatchSize = 32 });
            """, []));
        notebook.Write(_dir["work/lecture.ipynb"]);

        using var server = StartNotebookServer(out var url);
        try { await RunAndInterrupt(url); }
        finally { server.Kill(entireProcessTree: true); }   // the server and the kernel it started
    }

    async Task RunAndInterrupt(string url)
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchAsync(playwright);
        var page = await browser.NewPageAsync();
        await page.GotoAsync($"{url}/notebooks/lecture.ipynb?token={Token}");
        await page.Locator("#kernel_indicator_icon.kernel_idle_icon").WaitForAsync(new() { Timeout = 60_000 });
        Assert.Contains(".NET (C#)", await page.Locator(".kernel_indicator_name").InnerTextAsync());

        await page.ClickAsync("#celllink");
        await page.ClickAsync("#run_all_cells > a");
        var last = page.Locator("div.cell.code_cell").Last;
        var progress = last.Locator("div.aecourse-progress");
        await progress.WaitForAsync(new() { Timeout = 300_000 });
        var first = await progress.InnerTextAsync();
        await page.WaitForTimeoutAsync(1500);
        var later = await progress.InnerTextAsync();
        Assert.NotEqual(first, later);                              // the bar moved ...
        Assert.Equal(1, await progress.CountAsync());               // ... in its one output, updated in place
        Assert.True(await page.Locator("div.output_area img[src^='data:image/png']").CountAsync() > 0, "no picture in the page");
        Assert.True(await page.Locator("div.output_area div.aecourse-chart").CountAsync() > 0, "no chart in the page");
        Assert.Equal(0, await page.Locator("div.output_error").CountAsync());

        await page.ClickAsync("#kernellink");
        var clock = Stopwatch.StartNew();
        await page.ClickAsync("#int_kernel > a");
        await last.Locator("div.output_error").WaitForAsync(new() { Timeout = 10_000 });
        log.WriteLine($"interrupt to error shown: {clock.Elapsed.TotalSeconds:F2} s");
        Assert.Contains("interrupted after epoch", await last.Locator("div.output_error").InnerTextAsync());
        await page.Locator("#kernel_indicator_icon.kernel_idle_icon").WaitForAsync(new() { Timeout = 10_000 });
    }

    const string Token = "aecourse-browser-test";

    /// <summary>Jupyter Notebook on a free loopback port, serving the work folder, finding the kit's kernel through JUPYTER_PATH.</summary>
    Process StartNotebookServer(out string url)
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var start = new ProcessStartInfo("/usr/bin/jupyter-notebook") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "--no-browser", "--allow-root", "--ip=127.0.0.1", $"--port={port}", "--port-retries=0", $"--NotebookApp.token={Token}", $"--notebook-dir={_dir["work"]}" })
            start.ArgumentList.Add(a);
        foreach (var (k, v) in kernel.Environment) start.Environment[k] = v;
        start.Environment["JUPYTER_CONFIG_DIR"] = _dir["config"];
        start.Environment["JUPYTER_RUNTIME_DIR"] = _dir["runtime"];
        start.Environment["AECOURSE_DATA"] = TestPaths.Data;       // the lecture runs outside the repository
        var server = Process.Start(start)!;
        server.OutputDataReceived += (_, e) => { if (e.Data is not null) Trace(e.Data); };
        server.ErrorDataReceived += (_, e) => { if (e.Data is not null) Trace(e.Data); };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        url = $"http://127.0.0.1:{port}";
        using var http = new HttpClient();
        for (var clock = Stopwatch.StartNew(); clock.Elapsed < TimeSpan.FromSeconds(60); Thread.Sleep(200))
        {
            try
            {
                if (http.GetAsync($"{url}/api/status?token={Token}").Result.IsSuccessStatusCode) return server;
            }
            catch (AggregateException) { }   // not listening yet
        }
        server.Kill(entireProcessTree: true);
        throw new TimeoutException("Jupyter Notebook did not answer on " + url);
    }

    void Trace(string line)
    {
        try { log.WriteLine($"notebook server: {line}"); }
        catch (InvalidOperationException) { }   // after the test ended
    }
}
