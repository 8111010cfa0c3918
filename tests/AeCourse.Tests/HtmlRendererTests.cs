using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AeCourse.Notebooks.Format;
using AeCourse.Notebooks.Rendering;
using AeCourse.Tests.Support;
using AeCourse.Visualization;
using Microsoft.Playwright;
using SkiaSharp;
using Xunit.Abstractions;

namespace AeCourse.Tests;

/// <summary>
/// <see cref="HtmlRenderer"/>: the page as text, and the page opened offline in a real headless browser (Debian's
/// Chromium driven through Playwright; Playwright never downloads a browser here).
/// </summary>
public sealed partial class HtmlRendererTests : IDisposable
{
    readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    // ---- The page as text ------------------------------------------------------------------------------------------

    [Fact]
    public void Given_a_lecture_notebook_When_rendered_Then_markdown_becomes_html_and_no_attribute_points_to_the_network()
    {
        var html = HtmlRenderer.Render(LectureNotebook.Create(_dir["lecture.ipynb"]).Notebook);

        Assert.Contains("<h1 id=\"autoencoders-rendered\">Autoencoders, rendered</h1>", html);
        Assert.Contains("<li>encoder</li>", html);
        Assert.Contains("<title>Autoencoders, rendered</title>", html);
        Assert.Contains("In [1]:", html);
        Assert.Contains("epoch 2: loss 0.031\nprogress 100%\n", html);   // a progress line rewritten in place shows once
        Assert.Contains("<span class=\"kw\">var</span>", html);
        var error = Regex.Match(html, "<pre class=\"output error\">(.*?)</pre>", RegexOptions.Singleline).Groups[1].Value;
        Assert.StartsWith("System.DivideByZeroException: Attempted to divide by zero.\n", error);   // colour codes dropped
        Assert.Contains("&lt;&lt;Initialize&gt;&gt;", error);                                       // and text escaped
        // The markup (script bodies and comments are text, not attributes) makes no reference to a server.
        var markup = ScriptBodyOrComment().Replace(html, "");
        Assert.Empty(NetworkAttribute().Matches(markup).Select(m => m.Value));
        Assert.DoesNotContain("<link", markup, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("url(", markup, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Given_a_chart_output_When_rendered_Then_plotly_js_and_its_licence_are_inlined_once_in_the_head()
    {
        var html = HtmlRenderer.Render(LectureNotebook.Create(_dir["lecture.ipynb"]).Notebook);
        var head = html[..html.IndexOf("</head>", StringComparison.Ordinal)];

        Assert.Single(Regex.Matches(html, Regex.Escape("plotly.js v2.28.0")));
        Assert.Contains("plotly.js v2.28.0", head);
        Assert.Contains("@license MIT", head);
        Assert.Single(Regex.Matches(head, "</script", RegexOptions.IgnoreCase));   // the inlined script cannot end early
    }

    [Fact]
    public void Given_a_notebook_without_charts_When_rendered_Then_no_script_is_inlined_and_the_title_is_the_file_name()
    {
        var notebook = Notebook.CreatePolyglot(_dir["no-charts.ipynb"]);
        notebook.Cells.Add(NotebookCell.Markdown("## Not a level-1 heading"));
        var html = HtmlRenderer.Render(notebook);

        Assert.DoesNotContain("<script", html);
        Assert.Contains("<title>no-charts</title>", html);
        Assert.Contains("<title>Given title</title>", HtmlRenderer.Render(notebook, "Given title"));
    }

    [Theory]
    [InlineData("text/html", "<b>html</b>")]
    [InlineData("image/png", "<img src=\"data:image/png;base64,iVBORw0KGgo=\"")]
    [InlineData("image/svg+xml", "<svg width=\"4\" height=\"4\"></svg>")]
    [InlineData("text/markdown", "<em>markdown</em>")]
    [InlineData("text/plain", "<pre>&lt;plain&gt;</pre>")]
    public void Given_a_display_bundle_When_rendered_Then_its_richest_type_is_shown(string richest, string expected)
    {
        // Every type from the richest down, as a kernel writes them; the base64 is split over lines, as nbformat allows.
        string[] order = ["text/html", "image/png", "image/svg+xml", "text/markdown", "text/plain"];
        var all = new JsonObject
        {
            ["text/html"] = "<b>html</b>", ["image/png"] = new JsonArray("iVBORw0K\n", "Ggo=\n"), ["image/svg+xml"] = "<svg width=\"4\" height=\"4\"></svg>",
            ["text/markdown"] = "*markdown*", ["text/plain"] = "<plain>",
        };
        var data = new JsonObject(order.SkipWhile(t => t != richest).Select(t => KeyValuePair.Create(t, all[t]?.DeepClone())));
        var notebook = Notebook.CreatePolyglot(_dir["bundle.ipynb"]);
        var cell = NotebookCell.Code("value");
        cell.Outputs.Add(new JsonObject { ["data"] = data, ["metadata"] = new JsonObject(), ["output_type"] = "display_data" });
        notebook.Cells.Add(cell);

        var body = HtmlRenderer.Render(notebook).Split("<main class=\"notebook\">")[1];
        Assert.Contains(expected, body);
        Assert.Single(order, type => body.Contains(Marker(type), StringComparison.Ordinal));   // and nothing else of the bundle
    }

    static string Marker(string mimeType) => mimeType switch
    {
        "text/html" => "<b>html</b>", "image/png" => "data:image/png", "image/svg+xml" => "<svg", "text/markdown" => "markdown</em>", _ => "&lt;plain&gt;",
    };

    [Fact]
    public void Given_a_minimal_notebook_When_rendered_Then_the_notebook_is_left_unchanged()
    {
        const string json = "{\"cells\": [{\"cell_type\": \"code\", \"source\": \"1 + 1\"}], \"nbformat\": 4, \"nbformat_minor\": 2}";
        var notebook = Notebook.Parse(json, "minimal.ipynb");
        var before = notebook.Serialize();

        Assert.Contains("<span class=\"num\">1</span> + <span class=\"num\">1</span>", HtmlRenderer.Render(notebook));
        Assert.Equal(before, notebook.Serialize());
    }

    [Fact]
    public void Given_markdown_images_from_attachments_and_files_When_rendered_Then_they_are_inlined_as_data_uris()
    {
        const string png = "iVBORw0KGgo=";
        Directory.CreateDirectory(_dir["pictures"]);
        File.WriteAllBytes(_dir["pictures/beside.png"], Convert.FromBase64String(png));
        var notebook = Notebook.CreatePolyglot(_dir["images.ipynb"]);
        var cell = NotebookCell.Markdown("![attached](attachment:attached.png) ![beside](pictures/beside.png)");
        cell.Node["attachments"] = new JsonObject { ["attached.png"] = new JsonObject { ["image/png"] = png } };
        notebook.Cells.Add(cell);

        var html = HtmlRenderer.Render(notebook);
        Assert.Contains($"<img src=\"data:image/png;base64,{png}\" alt=\"attached\"", html);
        Assert.Contains($"<img src=\"data:image/png;base64,{png}\" alt=\"beside\"", html);
    }

    [Fact]
    public void Given_csharp_with_directives_When_highlighted_Then_the_text_is_kept_and_each_kind_of_token_is_marked()
    {
        const string source = "#!time\n#r \"nuget: Plotly.NET, 6.0.0\"\n// the model\nvar model = new Autoencoder(784, 32); // why\n"
                              + "Console.WriteLine($\"{model} <&> \" + 'c' + 1.5e-3);\n";
        var html = HtmlRenderer.HighlightCSharp(source);

        Assert.Equal(source, WebUtility.HtmlDecode(Regex.Replace(html, "<[^>]+>", "")));
        Assert.Contains("<span class=\"dir\">#!time</span>", html);
        Assert.Contains("<span class=\"dir\">#r &quot;nuget: Plotly.NET, 6.0.0&quot;</span>", html);
        Assert.Contains("<span class=\"com\">// the model</span>", html);
        Assert.Contains("<span class=\"kw\">new</span> <span class=\"type\">Autoencoder</span>", html);
        Assert.Contains("<span class=\"type\">Console</span>.WriteLine", html);
        Assert.Contains("<span class=\"str\">&#39;c&#39;</span>", html);
        Assert.Contains("<span class=\"num\">1.5e-3</span>", html);
    }

    [Fact]
    public void Given_a_page_path_When_written_Then_the_file_holds_the_rendered_page()
    {
        var lecture = LectureNotebook.Create(_dir["lecture.ipynb"]);
        HtmlRenderer.Write(lecture.Notebook, _dir["out/lecture.html"]);

        Assert.Equal(HtmlRenderer.Render(lecture.Notebook), File.ReadAllText(_dir["out/lecture.html"]));
        Assert.Equal("lecture.html", Path.GetFileName(Assert.Single(Directory.GetFiles(_dir["out"]))));   // no temporary file left
    }

    [GeneratedRegex(@"<script\b[^>]*>.*?</script>|<!--.*?-->", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex ScriptBodyOrComment();

    [GeneratedRegex(@"\b(?:src|href|action|poster|srcset)\s*=\s*[""']?\s*(?:https?:)?//", RegexOptions.IgnoreCase)]
    private static partial Regex NetworkAttribute();

    /// <summary>
    /// The page in a real browser: rendered and opened once (see <see cref="PageInChromium"/>), then checked as a
    /// student would see it. A class of its own, so that the text tests above run without a browser.
    /// </summary>
    public sealed class InChromium(PageInChromium chromium, ITestOutputHelper output) : IClassFixture<PageInChromium>
    {
        [Fact]
        public void Given_the_page_offline_in_chromium_When_loaded_Then_nothing_is_requested_but_the_page_and_nothing_fails()
        {
            output.WriteLine($"Chromium launched in {chromium.LaunchTime.TotalSeconds:F1} s; page loaded and chart drawn in {chromium.LoadTime.TotalSeconds:F1} s");
            output.WriteLine($"requests: {string.Join(", ", chromium.Requests.Select(u => u[..Math.Min(u.Length, 60)]))}");
            Assert.Empty(chromium.ConsoleErrors);
            Assert.Empty(chromium.FailedRequests);
            // data: URIs are decoded in the page (Chromium reports some as requests); nothing else but the page may load.
            Assert.All(chromium.Requests, url => Assert.True(url == chromium.PageUrl || url.StartsWith("about:", StringComparison.Ordinal)
                                                              || url.StartsWith("data:", StringComparison.Ordinal), $"requested {url}"));
        }

        [Fact]
        public async Task Given_the_page_in_chromium_When_loaded_Then_every_image_is_decoded()
        {
            var widths = await chromium.Page.EvaluateAsync<int[]>("Array.from(document.images).map(i => i.complete ? i.naturalWidth : -1)");

            Assert.NotEmpty(widths);
            Assert.All(widths, width => Assert.True(width > 0, "an image did not decode"));
            Assert.Contains(LectureNotebook.PngSize, widths);
        }

        [Fact]
        public async Task Given_the_page_in_chromium_When_loaded_Then_the_plotly_chart_is_drawn_with_its_line()
        {
            var chart = chromium.Page.Locator($"[id='{chromium.Lecture.ChartId}']");

            Assert.True(await chart.Locator("svg.main-svg").CountAsync() > 0, "Plotly drew no SVG");
            Assert.Equal(1, await chart.Locator(".scatterlayer .trace").CountAsync());
            Assert.False(string.IsNullOrEmpty(await chart.Locator(".scatterlayer path.js-line").GetAttributeAsync("d")), "the line has no path");
        }

        [Fact]
        public async Task Given_the_page_in_chromium_When_loaded_Then_code_is_highlighted_and_outputs_are_styled()
        {
            Assert.True(await chromium.Page.Locator("pre.source span.kw").CountAsync() > 0, "no keyword is highlighted");
            Assert.Equal(1, await chromium.Page.Locator("pre.output.stderr").CountAsync());
            // The error output is framed in red (#cf222e), unlike the source blocks.
            var border = await chromium.Page.Locator("pre.output.error").EvaluateAsync<string>("e => getComputedStyle(e).borderTopColor");
            Assert.Equal("rgb(207, 34, 46)", border);
        }

        [Fact]
        public async Task Given_the_page_in_chromium_When_screenshot_Then_the_picture_is_not_blank()
        {
            var png = await chromium.Page.ScreenshotAsync(new() { FullPage = true });
            using var bitmap = SKBitmap.Decode(png);

            Assert.NotNull(bitmap);
            Assert.True(bitmap.Height > 600, $"the page is {bitmap.Height} px high: content is missing");
            var colours = new HashSet<SKColor>();
            for (int y = 0; y < bitmap.Height; y += 3)
                for (int x = 0; x < bitmap.Width; x += 3)
                    colours.Add(bitmap.GetPixel(x, y));
            // A blank page is one colour; text, highlighted code, the gradient and the chart give hundreds.
            Assert.True(colours.Count > 50, $"{colours.Count} colours: the page looks blank");
        }
    }

    /// <summary>
    /// The lecture notebook rendered once and opened once for all browser tests, in Debian's Chromium (headless, no
    /// sandbox as in containers) through Playwright, with the browser context offline as in a classroom without
    /// network: every request, failed request and console error is recorded while the page loads.
    /// </summary>
    public sealed class PageInChromium : IAsyncLifetime
    {
        readonly TempDir _dir = new();
        IPlaywright? _playwright;
        IBrowser? _browser;
        IPage? _page;

        /// <summary>The notebook behind the page.</summary>
        public LectureNotebook Lecture { get; private set; } = null!;

        /// <summary>The loaded page.</summary>
        public IPage Page => _page ?? throw new InvalidOperationException("the page is not loaded");

        /// <summary>The page's file:// address.</summary>
        public string PageUrl { get; private set; } = "";

        /// <summary>Every request the page made, by URL.</summary>
        public List<string> Requests { get; } = [];

        /// <summary>Requests that failed, with the reason.</summary>
        public List<string> FailedRequests { get; } = [];

        /// <summary>Console errors and uncaught exceptions (CSP violations among them).</summary>
        public List<string> ConsoleErrors { get; } = [];

        /// <summary>How long starting Playwright's driver and Chromium took.</summary>
        public TimeSpan LaunchTime { get; private set; }

        /// <summary>How long loading the page and drawing its chart took.</summary>
        public TimeSpan LoadTime { get; private set; }

        public async Task InitializeAsync()
        {
            Lecture = LectureNotebook.Create(_dir["lecture.ipynb"]);
            var html = _dir["lecture.html"];
            HtmlRenderer.Write(Lecture.Notebook, html);
            PageUrl = new Uri(html).AbsoluteUri;

            var clock = Stopwatch.StartNew();
            _playwright = await Playwright.CreateAsync();
            _browser = await Chromium.LaunchAsync(_playwright);
            var context = await _browser.NewContextAsync(new() { Offline = true, ViewportSize = new() { Width = 1100, Height = 800 } });
            _page = await context.NewPageAsync();
            LaunchTime = clock.Elapsed;

            clock.Restart();
            _page.Console += (_, message) => { if (message.Type == "error") ConsoleErrors.Add(message.Text); };
            _page.PageError += (_, error) => ConsoleErrors.Add(error);
            _page.Request += (_, request) => Requests.Add(request.Url);
            _page.RequestFailed += (_, request) => FailedRequests.Add($"{request.Url}: {request.Failure}");
            await _page.GotoAsync(PageUrl, new() { WaitUntil = WaitUntilState.Load });
            await _page.WaitForSelectorAsync($"[id='{Lecture.ChartId}'] svg.main-svg", new() { Timeout = 20_000 });
            LoadTime = clock.Elapsed;
        }

        public async Task DisposeAsync()
        {
            if (_browser is not null) await _browser.DisposeAsync();
            _playwright?.Dispose();
            _dir.Dispose();
        }
    }

    /// <summary>
    /// A notebook as a lecture leaves it after a run, built in code: a heading and a list, a C# cell printing to both
    /// streams, a 20×20 gradient PNG made with SkiaSharp, the kit's line chart (its picture, and a script calling
    /// Plotly.newPlot) and a failed cell.
    /// </summary>
    public sealed record LectureNotebook(Notebook Notebook, string ChartId)
    {
        /// <summary>Width and height of the PNG output.</summary>
        public const int PngSize = 20;

        /// <summary>The notebook, to be stored at <paramref name="path"/> (it is not written).</summary>
        public static LectureNotebook Create(string path)
        {
            var notebook = Notebook.CreatePolyglot(path);
            notebook.Cells.Add(NotebookCell.Markdown("# Autoencoders, rendered\n\nWhat an autoencoder has:\n\n- encoder\n- decoder\n\nThe code is $z = f(x)$."));
            notebook.Cells.Add(CodeCell(1, "#!time\nvar losses = new[] { 0.054, 0.031 };\nforeach (var (loss, epoch) in losses.Select((l, i) => (l, i + 1)))\n    Console.WriteLine($\"epoch {epoch}: loss {loss}\");\nConsole.Error.WriteLine(\"slow: no GPU\");",
                Stream("stdout", "epoch 1: loss 0.054\n", "epoch 2: loss 0.031\n", "progress 50%\rprogress 100%\n"), Stream("stderr", "slow: no GPU\n")));
            notebook.Cells.Add(CodeCell(2, "Picture.Gradient(20).Display();",
                Display(new JsonObject { ["image/png"] = NotebookCell.Lines(Convert.ToBase64String(GradientPng(), Base64FormattingOptions.InsertLineBreaks)), ["text/plain"] = "Picture (20×20)" })));
            var figure = LineChart.OverEpochs("Loss", "MSE per pixel", ("train", [0.054, 0.031, 0.022, 0.017]));
            var chart = figure.ToHtml();
            notebook.Cells.Add(CodeCell(3, "LineChart.OverEpochs(\"Loss\", \"MSE per pixel\", (\"train\", losses))",
                Display(new JsonObject { ["image/png"] = Convert.ToBase64String(figure.ToPng()), ["text/html"] = chart, ["text/plain"] = figure.ToString() })));
            notebook.Cells.Add(CodeCell(4, "var x = 1 / int.Parse(\"0\");", new JsonObject
            {
                ["ename"] = "System.DivideByZeroException", ["evalue"] = "Attempted to divide by zero.", ["output_type"] = "error",
                ["traceback"] = new JsonArray("\u001b[0;31mSystem.DivideByZeroException: Attempted to divide by zero.\u001b[0m", "   at Submission#4.<<Initialize>>d__0.MoveNext()"),
            }));
            var chartId = Regex.Match(chart, "<div id=\"([^\"]+)\"").Groups[1].Value;
            return new LectureNotebook(notebook, chartId);
        }

        static NotebookCell CodeCell(int executionCount, string source, params JsonObject[] outputs)
        {
            var cell = NotebookCell.Code(source);
            cell.ExecutionCount = executionCount;
            foreach (var o in outputs) cell.Outputs.Add(o);
            return cell;
        }

        static JsonObject Stream(string name, params string[] lines) =>
            new() { ["name"] = name, ["output_type"] = "stream", ["text"] = new JsonArray(lines.Select(l => (JsonNode)l).ToArray()) };

        static JsonObject Display(JsonObject data) => new() { ["data"] = data, ["metadata"] = new JsonObject(), ["output_type"] = "display_data" };

        /// <summary>A PNG with a red-to-blue gradient, so that a decoded image is visibly not blank.</summary>
        static byte[] GradientPng()
        {
            using var bitmap = new SKBitmap(PngSize, PngSize, SKColorType.Rgba8888, SKAlphaType.Opaque);
            for (int y = 0; y < PngSize; y++)
                for (int x = 0; x < PngSize; x++)
                    bitmap.SetPixel(x, y, new SKColor((byte)(255 - 12 * x), (byte)(12 * y), (byte)(12 * x)));
            using var image = SKImage.FromBitmap(bitmap);
            using var data = image.Encode(SKEncodedImageFormat.Png, 100);
            return data.ToArray();
        }
    }
}
