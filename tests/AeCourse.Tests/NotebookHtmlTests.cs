using AeCourse.Notebooks.Execution;
using AeCourse.Notebooks.Format;
using AeCourse.Notebooks.Rendering;
using AeCourse.Tests.Support;
using Microsoft.Playwright;
using SkiaSharp;

namespace AeCourse.Tests;

/// <summary>
/// Rendered notebooks opened in a real headless Chromium (Debian's): the page must work offline, decode its images,
/// draw its Plotly chart and show highlighted code.
/// </summary>
public sealed class NotebookHtmlTests : IDisposable
{
    readonly NotebookCorpus _corpus = new();

    public void Dispose() => _corpus.Dispose();

    /// <summary>The corpus's outputs notebook, executed (picture, chart, streams, display) plus an error cell, rendered.</summary>
    async Task<string> RenderedOutputsPage()
    {
        var run = await NotebookRunner.RunAsync(Notebook.Read(_corpus["outputs.ipynb"]), new RunOptions { Packages = AeCourse.Cli.Hosting.KitPackages.Instance });
        Assert.True(run.Succeeded, string.Join("\n", run.Failures));
        var withError = Notebook.Read(_corpus["runtime-error.ipynb"]);
        var failed = await NotebookRunner.RunAsync(withError, new RunOptions { Packages = AeCourse.Cli.Hosting.KitPackages.Instance });
        run.Notebook.Cells.Add(new NotebookCell((System.Text.Json.Nodes.JsonObject)failed.Notebook.Cells[1].Node.DeepClone()));
        var html = _corpus["outputs.html"];
        HtmlRenderer.Write(run.Notebook, html);
        return html;
    }

    [Fact]
    public async Task Given_a_rendered_notebook_When_read_as_text_Then_markdown_is_html_and_nothing_points_to_the_network()
    {
        var html = File.ReadAllText(await RenderedOutputsPage());
        Assert.Contains("<h1", html);
        Assert.Contains("<span class=\"kw\">", html);
        Assert.Contains("System.DivideByZeroException", html);
        // Resources are inline: no element's src or href reaches a server. (Inside the inlined plotly.js there are
        // attribution links for map tiles, and the chart's CDN fallback runs only where Plotly is missing.)
        var markup = System.Text.RegularExpressions.Regex.Replace(html, "<script>.*?</script>", "", System.Text.RegularExpressions.RegexOptions.Singleline);
        Assert.DoesNotMatch("(src|href)=\"https?://", markup);
        Assert.Contains("plotly.js", html[..html.IndexOf("</head>", StringComparison.Ordinal)], StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Given_a_rendered_notebook_When_opened_in_chromium_Then_it_draws_everything_offline_without_errors()
    {
        var path = await RenderedOutputsPage();
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1000, Height = 800 } });
        var consoleErrors = new List<string>();
        var requests = new List<string>();
        page.Console += (_, message) => { if (message.Type == "error") consoleErrors.Add(message.Text); };
        page.PageError += (_, error) => consoleErrors.Add(error);
        page.Request += (_, request) => requests.Add(request.Url);

        await page.GotoAsync(new Uri(path).AbsoluteUri, new() { WaitUntil = WaitUntilState.Load });
        await page.WaitForSelectorAsync("svg.main-svg", new() { Timeout = 15_000 });

        Assert.Empty(consoleErrors);
        Assert.All(requests, url => Assert.Matches("^(file|data|about):", url));
        var images = await page.EvaluateAsync<int[]>("Array.from(document.images).map(i => i.complete ? i.naturalWidth : -1)");
        Assert.NotEmpty(images);
        Assert.All(images, width => Assert.True(width > 0, "an image did not decode"));
        // The chart drew its traces: two lines (train and test) inside Plotly's SVG.
        Assert.Equal(2, await page.Locator("svg.main-svg .scatterlayer .trace").CountAsync());
        Assert.True(await page.Locator("span.kw").CountAsync() > 5);

        var screenshot = await page.ScreenshotAsync(new() { FullPage = true });
        using var bitmap = SKBitmap.Decode(screenshot);
        var colours = new HashSet<uint>();
        for (int y = 0; y < bitmap.Height; y += 7)
            for (int x = 0; x < bitmap.Width; x += 7)
                colours.Add((uint)bitmap.GetPixel(x, y));
        // A blank page is one colour; text, code colours, images and the chart give hundreds.
        Assert.True(colours.Count > 50, $"{colours.Count} colours: the page looks blank");
        Assert.True(bitmap.Height > 800, "the page is shorter than one screen: content is missing");
    }
}
