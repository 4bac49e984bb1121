using Microsoft.Playwright;

namespace Orchestration.Tests.Operations;

/// <summary>Debian's chromium, headless, driven by Playwright (its own browser download is not reachable here), and where screenshots go.</summary>
internal static class Chromium
{
    public const string Path = "/usr/bin/chromium";

    public static async Task<(IPlaywright, IBrowser)> LaunchAsync()
    {
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Path,
            Headless = true,
            // The machine's network is closed: without these, chromium's own background connections are refused and it stalls.
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync"],
        });
        return (playwright, browser);
    }

    /// <summary>Where screenshots go: artifacts/screenshots at the repository's root.</summary>
    public static string Screenshot(string name)
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(System.IO.Path.Combine(root, "Orchestration.sln"))) root = System.IO.Path.GetDirectoryName(root) ?? throw new DirectoryNotFoundException("the repository's root");
        return System.IO.Path.Combine(Directory.CreateDirectory(System.IO.Path.Combine(root, "artifacts", "screenshots")).FullName, name);
    }
}
