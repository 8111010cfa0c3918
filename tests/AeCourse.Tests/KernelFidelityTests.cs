using AeCourse.Notebooks.Execution;
using AeCourse.Runtime;
using AeCourse.Tests.Support;
using AeCourse.Visualization;

namespace AeCourse.Tests;

/// <summary>
/// Where the kit's engine follows what the real Polyglot kernel does (the kernel's own runs are in
/// <see cref="PolyglotKernelTests"/>), and the checks the kit makes when it starts inside that kernel.
/// </summary>
public sealed class KernelFidelityTests
{
    [TypeFormatterSource(typeof(TwoFormatters), PreferredMimeTypes = ["text/html"])]
    sealed record HtmlOnly(string Text);

    [TypeFormatterSource(typeof(TwoFormatters))]
    sealed record NoPreference(string Text);

    sealed class TwoFormatters
    {
        public IEnumerable<object> CreateTypeFormatters() =>
        [
            new MimeFormatter<object>("text/html", (v, w) => w.Write($"<b>{v}</b>")),
            new MimeFormatter<object>("text/markdown", (v, w) => w.Write($"**{v}**")),
        ];
    }

    [Fact]
    public void Given_a_type_with_preferred_mime_types_When_displayed_by_the_engine_Then_exactly_those_types_are_stored_as_in_the_kernel()
    {
        var bundle = MimeBundle.Of(new HtmlOnly("x"));
        Assert.Equal(["text/html"], bundle.Select(p => p.Key));
        Assert.Equal("<b>HtmlOnly { Text = x }</b>", bundle["text/html"]!.GetValue<string>());
    }

    [Fact]
    public void Given_a_type_without_preferred_mime_types_When_displayed_by_the_engine_Then_every_formatter_and_text_plain_are_stored()
    {
        // The kernel would give text/html alone here; the engine keeps every type (a documented difference).
        Assert.Equal(["text/html", "text/markdown", "text/plain"], MimeBundle.Of(new NoPreference("x")).Select(p => p.Key));
    }

    [Fact]
    public void Given_the_kits_pictures_When_their_attribute_is_read_Then_png_html_and_text_are_preferred()
    {
        // The kernel reads PreferredMimeTypes by name; without image/png there a notebook saved by VS Code has no picture.
        foreach (var type in new[] { typeof(Picture), typeof(Figure) })
        {
            var attribute = (TypeFormatterSourceAttribute)Attribute.GetCustomAttribute(type, typeof(TypeFormatterSourceAttribute))!;
            Assert.Equal(["image/png", "text/html", "text/plain"], attribute.PreferredMimeTypes!);
        }
    }

    [Theory]
    [InlineData("1.0.611002", true)]
    [InlineData("1.0.712000", true)]
    [InlineData(NotebookHost.TestedKernel, false)]
    [InlineData("1.0.800000", false)]
    [InlineData("not a version", false)]
    public void Given_a_kernel_version_When_checked_Then_only_older_kernels_than_the_tested_one_get_a_warning_naming_both(string version, bool warned)
    {
        var warning = NotebookHost.KernelWarning(version);
        Assert.Equal(warned, warning is not null);
        if (warned)
        {
            Assert.Contains($".NET Interactive {version}", warning);
            Assert.Contains($"dotnet tool update -g Microsoft.dotnet-interactive --version {NotebookHost.TestedKernel}", warning);
        }
    }

    [Fact]
    public void Given_no_kernel_When_checked_Then_no_warning()
    {
        Assert.Null(NotebookHost.KernelVersion());   // the test host is no kernel
        Assert.Null(NotebookHost.KernelWarning(null));
    }

    [Fact]
    public void Given_nuget_configs_in_a_folder_and_above_When_read_Then_local_sources_resolve_from_each_files_folder_and_urls_are_left_out()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir["course/source"]);
        File.WriteAllText(dir["course/source/nuget.config"],
            """<configuration><packageSources><add key="kit" value="../artifacts/packages" /><add key="web" value="https://example.org/v3/index.json" /></packageSources></configuration>""");
        File.WriteAllText(dir["course/nuget.config"], """<configuration><packageSources><add key="up" value="feed" /></packageSources></configuration>""");
        File.WriteAllText(dir["nuget.config"], "<configuration><packageSources>");   // broken: NuGet reports it, the check skips it
        var sources = NotebookHost.LocalSources(dir["course/source"]).ToList();
        Assert.Equal([dir["course/artifacts/packages"], dir["course/feed"]], sources);
    }

    [Fact]
    public void Given_the_lecture_folders_When_their_nuget_config_is_read_Then_it_names_the_package_folder_the_README_packs_into()
    {
        foreach (var folder in new[] { "source", "notebooks" })
            Assert.Equal([Path.Combine(TestPaths.Repo, "artifacts", "packages")], NotebookHost.LocalSources(Path.Combine(TestPaths.Repo, folder)).Take(1));
    }

    [Fact]
    public void Given_the_kit_loaded_from_a_build_folder_When_its_package_is_checked_Then_nothing_is_refused()
    {
        // Only a kit loaded from a NuGet cache can be stale; the engine and programs load it from their build.
        Assert.Null(NotebookHost.EnsureFreshPackage(Path.Combine(TestPaths.Repo, "source")));
    }
}
