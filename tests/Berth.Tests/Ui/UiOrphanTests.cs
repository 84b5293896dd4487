using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Ui;

/// <summary>Orphans in the browser: administrators see what a collection would free, and collect; nobody else sees them.</summary>
[NonParallelizable]
public sealed class UiOrphanTests : UiFixture
{
    protected override IReadOnlyDictionary<string, string>? Settings => new Dictionary<string, string> { ["Berth:Lifecycle:OrphanGracePeriod"] = "00:00:00" };

    [Test]
    public async Task Administrators_SeeWhatCollectionWouldFree_AndCollect()
    {
        var name = "ui-orphans";
        var image = TestManifest.OciImage(layers: 2, layerSize: 4096);
        await Registry.PushImageAsync(name, image, "v1");
        await Api.UnassociateAllAsync(name);

        SignInAsAdmin();
        Browser.ClickAndWait("#nav-orphans");
        var rows = Browser.FindAll("#orphans tbody tr").ToDictionary(
            r => r.FindElement(OpenQA.Selenium.By.CssSelector("td")).Text,
            r => r.FindElements(OpenQA.Selenium.By.CssSelector("td.number")).Select(td => td.Text).ToArray());
        using (Assert.EnterMultipleScope())
        {
            Assert.That(rows["docker_blob"], Is.EqualTo(new[] { "3", "3" }), "the config and two layers, past a grace period of none");
            Assert.That(rows["docker_manifest"], Is.EqualTo(new[] { "1", "1" }));
            Assert.That(Browser.Find("#would-free").Text, Does.Contain(UiSize(image.Blobs.Sum(b => (long)b.Bytes.Length))));
        }

        Browser.ConfirmAndWait("#collect-orphans");
        Assert.That(Browser.Find("#collected").Text, Does.StartWith("Collected").And.Contain("freeing"));
        Assert.That(Browser.Find("#no-orphans").Text, Is.EqualTo("There are no orphans."));
        using var blob = await Registry.Http.GetAsync($"/v2/{name}/blobs/{image.Blobs[1].Digest}");
        Assert.That(blob.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.NotFound));
        await Host.AssertAuditedAsync(["action=delete.orphans", $"user={TestCredentials.AdminLogin}"]);
    }

    [Test]
    public async Task OthersAreOfferedNoOrphans_AndRefusedByAddress()
    {
        var login = await CreateUserAsync(("*", "pull,push,delete"));
        Browser.SignIn(login, UserPassword);
        Assert.That(Browser.Has("#nav-orphans"), Is.False);
        Browser.Open("/ui/orphans");
        Assert.That(Browser.Find("#problem").Text, Does.Contain("administrator"));
        Assert.That(Browser.Has("#collect-orphans"), Is.False);
    }

    /// <summary>A size as the UI writes it (1 KiB and up, one decimal).</summary>
    private static string UiSize(long bytes) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} KiB");
}
