using AeCourse.Runtime;
using AeCourse.Visualization;
using Microsoft.Playwright;
using SkiaSharp;
using static TorchSharp.torch;

namespace AeCourse.Tests;

/// <summary>
/// The kit's pictures: labelled rows, the manifold grid, interpolations, traversals, and the charts' pages in a real
/// browser (their PNG and JSON are checked in <see cref="ChartTests"/>).
/// </summary>
public sealed class PictureTests
{
    public PictureTests() => Setup.Initialize(seed: 0, device: "cpu", quiet: true);

    [Fact]
    public void Given_labelled_rows_When_drawn_Then_labels_are_inked_left_of_the_images_at_the_computed_places()
    {
        // Two rows of three 4×4 images, scale 2, padding 2: each row's tiles are 3·(8+2)+2 = 32 wide, 8+2+2 = 12 high,
        // and rows share the padding between them, so the picture is 12 + 12 − 2 = 22 high.
        var black = zeros([3, 4, 4]);
        var grey = full([3, 4, 4], 0.5);
        using var plain = SKBitmap.Decode(ImageGrid.Rows([("", black), ("", grey)], scale: 2, padding: 2).Png);
        Assert.Equal((32, 22), (plain.Width, plain.Height));   // no labels: no label column

        Assert.NotNull(Fonts.Caption);   // CI installs fonts-dejavu-core
        var picture = ImageGrid.Rows(("original", black), ("noisy", grey));
        using var bitmap = SKBitmap.Decode(picture.Png);
        int left = bitmap.Width - 32;
        Assert.True(left > 20, $"the label column is {left} px wide");
        Assert.Equal(22, bitmap.Height);
        Assert.Equal(0, bitmap.GetPixel(left + 3, 3).Red);          // row 1, image 1: black
        Assert.Equal(128, bitmap.GetPixel(left + 3, 10 + 3).Red);   // row 2, image 1: round(0.5·255)
        Assert.Equal(255, bitmap.GetPixel(left + 1, 1).Red);        // padding stays white
        // The labels are drawn: dark pixels in each row's band of the label column.
        Assert.True(DarkPixels(bitmap, 0, left - 2, 0, 11) > 10, "no ink where 'original' should be");
        Assert.True(DarkPixels(bitmap, 0, left - 2, 11, 22) > 10, "no ink where 'noisy' should be");
        Assert.Equal("original / noisy", picture.Caption);
    }

    static int DarkPixels(SKBitmap bitmap, int x0, int x1, int y0, int y1)
    {
        int dark = 0;
        for (int y = y0; y < y1; y++)
            for (int x = x0; x < x1; x++)
                if (bitmap.GetPixel(x, y).Red < 128) dark++;
        return dark;
    }

    [Fact]
    public void Given_font_settings_When_looked_up_Then_a_named_file_must_exist_and_be_a_font()
    {
        using var dir = new Support.TempDir();
        var missing = dir["none.ttf"];
        var e = Assert.Throws<FileNotFoundException>(() => Fonts.Find(missing, []));
        Assert.Contains(missing, e.Message);
        Assert.Contains(Fonts.FontVariable, e.Message);

        File.WriteAllText(dir["fake.ttf"], "not a font");
        Assert.Contains("not a font SkiaSharp can read", Assert.Throws<InvalidDataException>(() => Fonts.Find(dir["fake.ttf"], [])).Message);
        Assert.Null(Fonts.Find(null, [dir.Path]));   // a folder without fonts: captions are left out
        Assert.Equal("DejaVu Sans", Fonts.Find(null, ["/usr/share/fonts"])!.FamilyName);
    }

    [Fact]
    public void Given_a_manifold_grid_When_its_codes_are_made_Then_they_are_normal_quantiles_with_the_top_row_highest()
    {
        // Φ⁻¹(0.05) = −1.6448536269514722 (closed-form tables); 3 steps over [0.05, 0.95] are the 5%, 50% and 95% quantiles.
        const double q95 = 1.6448536269514722;
        var z = ManifoldGrid.Codes(latentDim: 3, steps: 3, dimX: 0, dimY: 2);
        Assert.Equal([9L, 3L], z.shape);
        AssertRow(z[0], -q95, 0, q95);   // top left: smallest x, largest y
        AssertRow(z[4], 0, 0, 0);        // centre: the prior's mean
        AssertRow(z[8], q95, 0, -q95);   // bottom right
        Assert.Throws<ArgumentOutOfRangeException>(() => ManifoldGrid.Codes(2, edge: 0));

        // Decoded by "white where z0 > 0": the right column of a 3×3 grid of 28-pixel images is white, the rest black.
        var picture = ManifoldGrid.Show(codes => codes[.., 0..1].gt(0).to(ScalarType.Float32).expand(-1, 784), latentDim: 3, steps: 3);
        using var bitmap = SKBitmap.Decode(picture.Png);
        Assert.Equal((84, 84), (bitmap.Width, bitmap.Height));
        Assert.Equal(255, bitmap.GetPixel(70, 40).Red);
        Assert.Equal(0, bitmap.GetPixel(40, 40).Red);
        Assert.Equal(0, bitmap.GetPixel(10, 80).Red);
    }

    static void AssertRow(Tensor row, params double[] expected)
    {
        var actual = row.to(ScalarType.Float64).data<double>().ToArray();
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 5);   // float32 quantiles: 1e-5
    }

    [Fact]
    public void Given_two_ends_When_interpolated_Then_the_steps_run_linearly_from_one_to_the_other()
    {
        var a = tensor(new float[] { 0, 2, 4 });
        var b = tensor(new float[] { 4, 2, 0 });
        var path = Interpolation.Linear(a, b, steps: 5);
        Assert.Equal([5L, 3L], path.shape);
        AssertRow(path[0], 0, 2, 4);
        AssertRow(path[2], 2, 2, 2);
        AssertRow(path[4], 4, 2, 0);
        Assert.Throws<ArgumentException>(() => Interpolation.Linear(a, zeros(4), 3));

        // In the code versus in pixels: two labelled strips of 4 images each.
        var xA = zeros([1, 784]);
        var xB = ones([1, 784]);
        var picture = Interpolation.Compare(x => x[.., 0..2], z => z[.., 0..1].expand(-1, 784), xA, xB, steps: 4);
        Assert.Equal("in the code / in pixels", picture.Caption);
    }

    [Fact]
    public void Given_a_starting_code_When_traversed_Then_each_row_sweeps_one_dimension_and_keeps_the_others()
    {
        var z0 = tensor(new float[] { 1, 2, 3 });
        var codes = LatentTraversal.Codes(z0, dims: [2, 0], range: 3, steps: 3);
        Assert.Equal([6L, 3L], codes.shape);
        AssertRow(codes[0], 1, 2, -3);
        AssertRow(codes[2], 1, 2, 3);
        AssertRow(codes[3], -3, 2, 3);
        AssertRow(codes[5], 3, 2, 3);
        Assert.Throws<ArgumentOutOfRangeException>(() => LatentTraversal.Codes(z0, [3]));
        var picture = LatentTraversal.Show(z => z[.., 0..1].sigmoid().expand(-1, 784), z0, [2, 0]);
        using var bitmap = SKBitmap.Decode(picture.Png);
        Assert.Equal(2 * (56 + 2) + 2, bitmap.Height);   // two rows of 28·2-pixel images, padding 2
    }

    [Fact]
    public async Task Given_a_latent_scatter_and_kl_bars_When_opened_in_chromium_Then_every_point_and_bar_is_drawn()
    {
        // 30 points in 3 classes; KL of 4 dimensions. Plotly draws one path.point per marker and per bar.
        var points = randn(30, 2, generator: new Generator(4));
        var labels = arange(3).repeat_interleave(10);
        var scatter = ScatterChart.ByClass(points, labels, ["T-shirt", "Trouser", "Pullover"], "z of 30 images");
        Assert.Equal(10, scatter.CountsByClass["Trouser"]);
        Assert.Contains("[N, 2]", Assert.Throws<ArgumentException>(() => ScatterChart.ByClass(randn(5, 3), arange(5), ["a"], "t")).Message);
        var bars = BarChart.KlPerDimension(tensor(new float[] { 2.5f, 0.01f, 1, 0 }));
        Assert.Equal(["z0", "z1", "z2", "z3"], bars.Bars.Select(b => b.Category));

        using var dir = new Support.TempDir();
        scatter.SaveHtml(dir["scatter.html"], PlotlyJs.Value);
        bars.SaveHtml(dir["bars.html"], PlotlyJs.Value);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Support.Chromium.LaunchAsync(playwright);
        var page = await browser.NewPageAsync();
        await page.GotoAsync(new Uri(dir["scatter.html"]).AbsoluteUri);
        await page.WaitForSelectorAsync("svg.main-svg");
        Assert.Equal(0, await page.Locator("div.aecourse-chart > img").CountAsync());   // the interactive chart replaced the picture
        Assert.Equal(3, await page.Locator(".scatterlayer .trace").CountAsync());
        Assert.Equal(30, await page.Locator(".scatterlayer path.point").CountAsync());
        await page.GotoAsync(new Uri(dir["bars.html"]).AbsoluteUri);
        await page.WaitForSelectorAsync("svg.main-svg");
        Assert.Equal(4, await page.Locator(".barlayer path").CountAsync());
    }

    [Fact]
    public async Task Given_a_chart_page_without_plotly_js_When_opened_offline_in_chromium_Then_it_shows_the_chart_picture()
    {
        // What GitHub-less, network-less readers get: the page cannot load plotly.js, so the PNG must stay in place.
        var chart = LineChart.OverEpochs("Loss", "MSE per pixel", ("train", [0.05, 0.03, 0.02]), ("test", [0.06, 0.04, 0.035]));
        using var dir = new Support.TempDir();
        chart.SaveHtml(dir["loss.html"]);
        Assert.DoesNotContain("plotly.js v", File.ReadAllText(dir["loss.html"]));   // nothing of plotly.js is inlined

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Support.Chromium.LaunchAsync(playwright);
        await using var context = await browser.NewContextAsync(new() { Offline = true });
        var page = await context.NewPageAsync();
        var cdnFailed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        page.RequestFailed += (_, request) => { if (request.Url == Figure.PlotlyCdn) cdnFailed.TrySetResult(request.Failure ?? ""); };
        await page.GotoAsync(new Uri(dir["loss.html"]).AbsoluteUri, new() { WaitUntil = WaitUntilState.Load });
        await cdnFailed.Task.WaitAsync(TimeSpan.FromSeconds(20));   // the script tried the network and gave up

        var image = page.Locator("div.aecourse-chart > img");
        Assert.Equal(1, await image.CountAsync());
        Assert.Equal("Loss", await image.GetAttributeAsync("alt"));
        Assert.Equal(720, await image.EvaluateAsync<int>("i => i.complete ? i.naturalWidth : -1"));
        Assert.Equal(420, await image.EvaluateAsync<int>("i => i.naturalHeight"));
        Assert.True(await image.IsVisibleAsync(), "the picture is hidden");
        Assert.Equal(0, await page.Locator("svg.main-svg").CountAsync());
    }

    /// <summary>plotly.js as Plotly.NET ships it (as HtmlRenderer reads it), for pages that must be interactive offline.</summary>
    static readonly Lazy<string> PlotlyJs = new(() =>
    {
        const string resource = "Plotly.NET.plotly-2.28.0.min.js";
        using var stream = typeof(Plotly.NET.GenericChart).Assembly.GetManifestResourceStream(resource)
                           ?? throw new InvalidOperationException($"{resource} is missing from Plotly.NET");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });
}
