using Microsoft.Playwright;

namespace AeCourse.Tests.Support;

/// <summary>Debian's headless chromium, as every browser test launches it: no sandbox, GPU or background network.</summary>
static class Chromium
{
    public const string Path = "/usr/bin/chromium";

    public static Task<IBrowser> LaunchAsync(IPlaywright playwright)
    {
        if (!File.Exists(Path))
            throw new InvalidOperationException($"{Path} is missing: install Debian's chromium (apt-get install chromium)");
        return playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Path,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }
}
