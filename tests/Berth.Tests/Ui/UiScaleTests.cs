using System.Diagnostics;
using System.Net;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Ui;

/// <summary>
/// A repository of ten thousand tags (and one) in the browser: pages and filters read a page's worth from the store, and
/// a retention preview lists every tag.
/// </summary>
[NonParallelizable]
public sealed class UiScaleTests : UiFixture
{
    // One more than ten thousand: the retention preview once listed tags a page of ten thousand at most.
    private const int TagCount = 10_001;
    private const string Name = "ui-many-tags";

    [OneTimeSetUp]
    public async Task PushTenThousandTags()
    {
        var image = TestManifest.OciImage();
        await Registry.PushImageAsync(Name, image, "tag-00000");
        var watch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(1, TagCount - 1), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
        {
            using var put = await Registry.PutManifestAsync(Name, $"tag-{i:D5}", image.Bytes, image.MediaType);
            Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        });
        TestContext.Progress.WriteLine($"{TagCount} tags pushed in {watch.Elapsed.TotalSeconds:0.0} s");
    }

    [Test]
    public async Task ManyRepositories_PageAndFindQuickly()
    {
        // Ten thousand in the longer run; the default run pages a thousand, which meets the same code.
        var count = LongerRun.Rounds(1_000, 10_000);
        var watch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
        {
            using var created = await Api.PostJsonAsync("/repositories/", new System.Text.Json.Nodes.JsonObject { ["id"] = $"ui-scale-{i:D5}" });
            Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        });
        TestContext.Progress.WriteLine($"{count} repositories created in {watch.Elapsed.TotalSeconds:0.0} s");

        SignInAsAdmin();
        watch.Restart();
        Browser.Open("/ui/?q=ui-scale-");
        var first = Texts("#repositories tbody tr td:first-child a");
        var firstPage = watch.Elapsed;
        Assert.That(first, Is.EqualTo(Enumerable.Range(0, 50).Select(i => $"ui-scale-{i:D5}")));
        Assert.That(Browser.Find("#repository-count").Text, Does.StartWith($"{count} repositories match"));

        watch.Restart();
        var lastPage = count / 50;
        Browser.Open($"/ui/?q=ui-scale-&p={lastPage}");
        var last = Texts("#repositories tbody tr td:first-child a");
        var lastPageTime = watch.Elapsed;
        Assert.That(last, Is.EqualTo(Enumerable.Range(count - 50, 50).Select(i => $"ui-scale-{i:D5}")));
        Assert.That(Browser.Has("#next-page"), Is.False);

        watch.Restart();
        Browser.Open("/ui/?q=UI-SCALE-00042");
        var found = Texts("#repositories tbody tr td:first-child a");
        var search = watch.Elapsed;
        Assert.That(found, Is.EqualTo(new[] { "ui-scale-00042" }));

        // A repository's page offers the first 200 others as promotion destinations (for its tags), whatever their number.
        watch.Restart();
        Browser.Open($"/ui/repositories/{Name}");
        var destinations = Browser.FindAll("#promote-destinations option").Select(o => o.GetAttribute("value")).ToList();
        var repositoryPage = watch.Elapsed;
        var others = (await Api.GetJsonAsync("/repositories/")).AsArray().Select(r => r!["id"]!.GetValue<string>()).Where(id => id != Name);
        Assert.That(destinations, Is.EqualTo(others.Order(StringComparer.Ordinal).Take(200)));

        TestContext.Progress.WriteLine(
            $"{count} repositories: first page {firstPage.TotalMilliseconds:0} ms, page {lastPage} {lastPageTime.TotalMilliseconds:0} ms, search {search.TotalMilliseconds:0} ms, " +
            $"a repository's page {repositoryPage.TotalMilliseconds:0} ms");
        Assert.That(new[] { firstPage, lastPageTime, search, repositoryPage }.Max(), Is.LessThan(TimeSpan.FromSeconds(5)));
    }

    [Test]
    public void TenThousandTags_PageAndFilterQuickly_AndAreCountedInTheRepositoryList()
    {
        SignInAsAdmin();
        var watch = Stopwatch.StartNew();
        Browser.Open($"/ui/repositories/{Name}");
        var first = Texts("#tags .tag-name");
        var firstPage = watch.Elapsed;
        Assert.That(first, Is.EqualTo(Enumerable.Range(0, 50).Select(i => $"tag-{i:D5}")));

        watch.Restart();
        Browser.Open($"/ui/repositories/{Name}?p=201");
        var last = Texts("#tags .tag-name");
        var lastPage = watch.Elapsed;
        Assert.That(last, Is.EqualTo(new[] { "tag-10000" }));
        Assert.That(Browser.Has("#next-page"), Is.False, "page 201 is the last");

        watch.Restart();
        Browser.Open($"/ui/repositories/{Name}?q=TAG-0999");
        var filtered = Texts("#tags .tag-name");
        var filter = watch.Elapsed;
        Assert.That(filtered, Is.EqualTo(Enumerable.Range(9_990, 10).Select(i => $"tag-{i:D5}")), "any case, part of the name");

        watch.Restart();
        Browser.Open($"/ui/?q={Name}");
        var counted = Browser.Find("#repositories tbody tr td.number").Text;
        var list = watch.Elapsed;
        Assert.That(counted, Is.EqualTo($"{TagCount}"));

        TestContext.Progress.WriteLine(
            $"first page {firstPage.TotalMilliseconds:0} ms, page 201 {lastPage.TotalMilliseconds:0} ms, filter {filter.TotalMilliseconds:0} ms, " +
            $"the repository list {list.TotalMilliseconds:0} ms");

        // A bound far above what is measured (see the closing note), to catch a page that reads every tag's manifest.
        Assert.That(new[] { firstPage, lastPage, filter, list }.Max(), Is.LessThan(TimeSpan.FromSeconds(5)));
    }

    [Test]
    public void TenThousandTags_ArePreviewedByARetentionPolicy_EveryOne()
    {
        SignInAsAdmin();
        Browser.Open($"/ui/repositories/{Name}/retention");
        Browser.Type("#pattern-0", "tag-1*");
        Browser.Type("#keep-0", "0");
        var watch = Stopwatch.StartNew();
        Browser.ClickAndWait("#preview-retention");
        var preview = watch.Elapsed;
        TestContext.Progress.WriteLine($"retention preview of {TagCount} tags {preview.TotalMilliseconds:0} ms");

        // Read in the page: ten thousand rows one by one through the driver would take minutes.
        var script = (OpenQA.Selenium.IJavaScriptExecutor)Browser.Driver;
        var rows = Convert.ToInt64(script.ExecuteScript("return document.querySelectorAll('#preview tbody tr').length"), System.Globalization.CultureInfo.InvariantCulture);
        var lastRow = script.ExecuteScript("return [...document.querySelectorAll('#preview tbody tr:last-child td')].map(td => td.textContent).join('|')") as string;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Browser.Find("#preview-summary").Text, Does.Contain("1 tag, 0 manifests and 0 blobs"));
            Assert.That(rows, Is.EqualTo(TagCount), "every tag is listed");
            Assert.That(lastRow, Is.EqualTo("tag-10000|go|beyond the newest 0 of 'tag-1*'"), "the tag past the ten thousandth too");
        }

        Assert.That(preview, Is.LessThan(TimeSpan.FromSeconds(10)));
    }
}
