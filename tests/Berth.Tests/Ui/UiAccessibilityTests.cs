using System.Drawing;
using System.Text.Json;
using Berth.Tests.Support;
using NUnit.Framework;
using OpenQA.Selenium;

namespace Berth.Tests.Ui;

/// <summary>
/// Issue 16's accessibility in Chromium: every page, in each of its states, passes axe's rules for WCAG 2.1 A and AA (at a
/// desktop's width and, where content is wide, at a phone's), and a reader with only a keyboard signs in, finds a tag and
/// rolls it back, seeing where the focus is at every stop.
/// </summary>
[NonParallelizable]
public sealed class UiAccessibilityTests : UiFixture
{
    /// <summary>More tab stops than any page here has before what a test looks for: a page that needs more is a failure.</summary>
    private const int MaxStops = 60;

    /// <summary>The repository every page shows something of.</summary>
    private const string Name = "a11y-app";

    // The element that has the focus, whether the focus shows (an outline or a shadow) and where it is.
    private const string FocusScript = """
        var e = document.activeElement;
        if (!e || e === document.body || e === document.documentElement) { return null; }
        var style = getComputedStyle(e), box = e.getBoundingClientRect();
        return JSON.stringify({
          element: e.outerHTML.slice(0, e.outerHTML.indexOf('>') + 1),
          matches: e.matches(arguments[0]),
          indicated: (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none',
          onScreen: box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0 && box.top < innerHeight && box.left < innerWidth,
          inMain: e.closest('main') !== null
        });
        """;

    private static readonly JsonSerializerOptions Camel = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// WCAG 2.1 A and AA, and axe's best practices besides: heading order, landmarks and content within them, a main
    /// heading on every page are not WCAG rules, but what lets a screen reader's user find their way.
    /// </summary>
    private static readonly IReadOnlyList<string> Rules = [.. Axe.Wcag21AA, "best-practice"];

    private readonly List<string> _found = [];

    private (TestManifest Image, TestManifest Index, string Login) _seeded;

    private string ImagePage => $"/ui/repositories/{Name}/manifests/{Uri.EscapeDataString(_seeded.Image.Digest.ToString())}";

    private string IndexPage => $"/ui/repositories/{Name}/manifests/{Uri.EscapeDataString(_seeded.Index.Digest.ToString())}";

    /// <summary>Something for every page to show: a list and its images, a tag moved twice, a signature, orphans, a user.</summary>
    [OneTimeSetUp]
    public async Task Seed()
    {
        var (amd64, arm64) = (TestManifest.OciImage(layers: 2), TestManifest.OciImage());
        await Registry.PushImageAsync(Name, amd64);
        await Registry.PushImageAsync(Name, arm64);
        var index = TestManifest.OciIndex(amd64, arm64);
        await Registry.PushImageAsync(Name, index, "1.0");
        await Registry.PushImageAsync(Name, TestManifest.OciImage(), "stable");
        await Registry.PushImageAsync(Name, arm64, "stable");
        await Registry.PushImageAsync(Name, amd64, "stable");
        await Registry.PushImageAsync(Name, TestManifest.OciArtifact(amd64, "application/vnd.dev.cosign.artifact.sig.v1+json"));
        await Registry.PushImageAsync("a11y-dest", TestManifest.OciImage(), "base");
        await Registry.PushImageAsync("a11y-gone", TestManifest.OciImage(), "v1");
        await Api.UnassociateAllAsync("a11y-gone");
        _seeded = (amd64, index, await CreateUserAsync(("a11y-*", "pull")));
    }

    [SetUp]
    public void NothingFoundYet() => _found.Clear();

    [Test]
    public void EveryPage_PassesAxe_AtADesktopsWidth()
    {
        Visit("/ui/sign-in", "#login");
        Browser.SignIn(TestCredentials.AdminLogin, "not-the-password");
        Check("#sign-in-refusal");
        Visit("/ui/", "#no-repositories");
        Visit("/ui/no-such-page", "main h1");

        SignInAsAdmin();
        Visit("/ui/", "#repositories");
        Visit($"/ui/repositories/{Name}", "#tags");
        Browser.Find("input[name=tag][value='1.0']").Click();
        Browser.Type("#promote-to", "a11y-dest");
        Browser.ClickAndWait("#review-promotion");
        Check("#closure");

        Visit($"/ui/repositories/{Name}/tags/stable", "form.rollback");
        Browser.ClickAndWait("#remove-tag");
        Check("#confirm-removal");

        Visit(ImagePage, "#referrers");
        Browser.ClickAndWait("#remove-manifest");
        Check("#removal-refused");
        Visit(IndexPage, "#children");

        Visit($"/ui/repositories/{Name}/retention", "#retention-form");
        Browser.Type("#pattern-0", "v*");
        Browser.Type("#keep-0", "2");
        Browser.Type("#untagged-days", "30");
        Browser.ClickAndWait("#preview-retention");
        Check("#preview");
        Browser.ClickAndWait("#save-retention");
        Check("#retention-saved");

        Visit("/ui/orphans", "#orphans");
        Visit("/ui/users", "#users");
        Visit($"/ui/users/{_seeded.Login}", "#token-form");
        Browser.Type("#token-name", "a11y-robot");
        Browser.ClickAndWait("#make-token");
        Check("#token-secret");

        Visit("/ui/repositories/a11y-not-here", "#problem");
        AssertNothingFound();
    }

    [Test]
    public void PagesWithWideContent_PassAxe_AtAPhonesWidth()
    {
        SignInAsAdmin();
        Browser.Driver.Manage().Window.Size = new Size(380, 800);
        try
        {
            // Their tables and the manifest scroll in their own boxes here, which a keyboard must reach as well.
            Visit("/ui/", "#repositories");
            Visit($"/ui/repositories/{Name}", "#tags");
            Visit($"/ui/repositories/{Name}/tags/stable", "#history");
            Visit(ImagePage, "#layers");
            Visit(IndexPage, "#children");
            Visit("/ui/orphans", "#orphans");
            Visit("/ui/users", "#users");
            AssertNothingFound();
        }
        finally
        {
            Browser.Driver.Manage().Window.Size = new Size(1280, 900);
        }
    }

    [Test]
    public async Task WithTheKeyboardAlone_AReaderSignsIn_FindsATag_AndRollsItBack()
    {
        var name = "a11y-keys";
        var (first, second) = (TestManifest.OciImage(), TestManifest.OciImage());
        await Registry.PushImageAsync(name, first, "stable");
        await Registry.PushImageAsync(name, second, "stable");

        Browser.Open("/ui/sign-in");
        Assert.That(Focused("#login")?.Matches, Is.True, "the page opens with the focus in the user name field");
        Browser.Press(TestCredentials.AdminLogin);
        TabTo("#sign-in");
        ShiftTabTo("#password");
        Browser.Press(TestCredentials.AdminPassword);
        Browser.PressAndWait(Keys.Enter);
        Assert.That(Browser.Find("#signed-in-as").Text, Is.EqualTo(TestCredentials.AdminLogin));

        // Past the header's links to the page's own content: the first stop of a page is the way there.
        SkipToContent();
        TabTo($"#repositories a[href$='/{name}']");
        Browser.PressAndWait(Keys.Enter);
        Assert.That(Browser.Location, Is.EqualTo($"/ui/repositories/{name}"));

        SkipToContent();
        TabTo("#tags .tag-name a");
        Browser.PressAndWait(Keys.Enter);
        Assert.That(Browser.Location, Is.EqualTo($"/ui/repositories/{name}/tags/stable"));

        SkipToContent();
        TabTo("form.rollback button");
        Browser.PressConfirmAndWait(Keys.Space);
        Assert.That(Browser.Find("#rolled-back").Text, Does.Contain(first.Digest.ToString()));
        Assert.That((await ManifestAsync(name, "stable")).Digest, Is.EqualTo(first.Digest.ToString()), "the registry serves the earlier manifest");
    }

    private void Visit(string path, string shows)
    {
        Browser.Open(path);
        Check(shows);
    }

    /// <summary>Runs axe on the page shown, once it shows <paramref name="shows"/>, and keeps what it finds.</summary>
    private void Check(string shows)
    {
        _ = Browser.Find(shows);
        _found.AddRange(Axe.Check(Browser.Driver, Rules).Select(v => $"{Browser.Location} ({shows}): {v}"));
    }

    private void AssertNothingFound() => Assert.That(_found, Is.Empty, "axe found, page by page:\n" + string.Join("\n", _found));

    /// <summary>Tabs to the skip link, the page's first stop, and follows it: the next stop is in the page's main content.</summary>
    private void SkipToContent()
    {
        Assert.That(TabTo("a.skip"), Has.Count.EqualTo(1), $"the first stop on {Browser.Location} is the link past the header");
        Browser.Press(Keys.Enter);
        Browser.Press(Keys.Tab);
        var next = Focused("*");
        Assert.That(next?.InMain, Is.True, $"after the skip link, the focus is in the main content ({next?.Element ?? "nothing"})");
        AssertShows(next!);
    }

    private List<FocusStop> TabTo(string css) => MoveFocusTo(css, Browser.Press);

    private List<FocusStop> ShiftTabTo(string css) => MoveFocusTo(css, Browser.PressShifted);

    /// <summary>Presses Tab (or Shift+Tab) until <paramref name="css"/> has the focus; at every stop the focus shows.</summary>
    private List<FocusStop> MoveFocusTo(string css, Action<string> press)
    {
        var stops = new List<FocusStop>();
        while (stops.Count < MaxStops)
        {
            press(Keys.Tab);
            var stop = Focused(css);
            Assert.That(stop, Is.Not.Null, $"on {Browser.Location}, stop {stops.Count + 1} has the focus nowhere, after {string.Join(" → ", stops.Select(s => s.Element))}");
            AssertShows(stop!);
            stops.Add(stop!);
            if (stop!.Matches)
            {
                return stops;
            }
        }

        Assert.Fail($"{MaxStops} stops on {Browser.Location} never reached '{css}': {string.Join(" → ", stops.Select(s => s.Element))}");
        return stops;
    }

    private void AssertShows(FocusStop stop)
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(stop.Indicated, Is.True, $"on {Browser.Location}, {stop.Element} has the focus and shows no outline or shadow");
            Assert.That(stop.OnScreen, Is.True, $"on {Browser.Location}, {stop.Element} has the focus off the screen");
        }
    }

    /// <summary>The element with the focus, or null when none has it.</summary>
    private FocusStop? Focused(string css) =>
        ((IJavaScriptExecutor)Browser.Driver).ExecuteScript(FocusScript, css) is string json ? JsonSerializer.Deserialize<FocusStop>(json, Camel) : null;

    private sealed record FocusStop(string Element, bool Matches, bool Indicated, bool OnScreen, bool InMain);
}
