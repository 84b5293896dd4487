using System.Text.Json;
using Deque.AxeCore.Commons;
using OpenQA.Selenium;

namespace Berth.Tests.Support;

/// <summary>What axe found wrong with a page: the rule, how bad, which elements, and what the rule asks for.</summary>
public sealed record AxeViolation(string Rule, string? Impact, string Help, IReadOnlyList<string> Targets)
{
    public override string ToString() => $"{Rule} ({Impact ?? "no impact given"}): {Help}; at {string.Join(", ", Targets)}";
}

/// <summary>
/// Deque's axe-core, run in the page the browser shows. The script is the one Deque.AxeCore.Commons carries (Selenium.Axe
/// is built for Selenium 3 and an older axe). It is injected through WebDriver, which evaluates it over the DevTools
/// protocol: the page's Content-Security-Policy (script-src 'self') does not apply to it, as it does to the page's own.
/// </summary>
public static class Axe
{
    /// <summary>WCAG 2.0 and 2.1, levels A and AA: what the web UI promises (issue 16).</summary>
    public static readonly IReadOnlyList<string> Wcag21AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

    private static readonly Lazy<string> Script = new(() => new BundledAxeScriptProvider().GetScript());

    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    // Only the violations, and of each only what a failure message needs: the whole result is megabytes on a big page.
    private const string Run = """
        var done = arguments[arguments.length - 1];
        axe.run(document, { runOnly: { type: 'tag', values: arguments[0] }, resultTypes: ['violations'] })
          .then(function (result) {
            done(JSON.stringify(result.violations.map(function (v) {
              return {
                rule: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.map(function (n) { return n.target.map(function (t) { return [].concat(t).join(' >>> '); }).join(' in '); })
              };
            })));
          }, function (error) { done(JSON.stringify({ error: String(error) })); });
        """;

    /// <summary>Runs the rules of <paramref name="tags"/> on the page the driver shows; returns what they found.</summary>
    public static IReadOnlyList<AxeViolation> Check(IWebDriver driver, IReadOnlyList<string> tags)
    {
        ArgumentNullException.ThrowIfNull(driver);
        var script = (IJavaScriptExecutor)driver;
        driver.Manage().Timeouts().AsynchronousJavaScript = Bound;
        if (script.ExecuteScript("return typeof window.axe;") as string != "object")
        {
            script.ExecuteScript(Script.Value);
        }

        // One argument, the list: a string[] alone would be taken for the whole argument list.
        var json = (string)script.ExecuteAsyncScript(Run, [tags.ToList()])!;
        using var result = JsonDocument.Parse(json);
        if (result.RootElement.ValueKind == JsonValueKind.Object)
        {
            throw new InvalidOperationException($"axe failed on {driver.Url}: {result.RootElement.GetProperty("error").GetString()}");
        }

        return [.. result.RootElement.EnumerateArray().Select(v => new AxeViolation(
            v.GetProperty("rule").GetString()!,
            v.GetProperty("impact").GetString(),
            v.GetProperty("help").GetString()!,
            [.. v.GetProperty("targets").EnumerateArray().Select(t => t.GetString()!)]))];
    }
}
