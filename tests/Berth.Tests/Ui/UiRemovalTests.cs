using System.Net;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Ui;

/// <summary>Removal in the browser: what goes is shown first, refusals are explained, and the registry sees the result.</summary>
[NonParallelizable]
public sealed class UiRemovalTests : UiFixture
{
    private async Task<HttpStatusCode> StatusAsync(string name, string reference) => (await ManifestAsync(name, reference)).Status;

    [Test]
    public async Task RemovingATag_ShowsWhatGoes_ThenLeavesTheManifestAndItsOtherTags()
    {
        var name = "ui-remove-tag";
        var image = TestManifest.OciImage();
        await Registry.PushImageAsync(name, image, "old");
        await Registry.PushImageAsync(name, image, "keep");

        SignInAsAdmin();
        Browser.Open($"/ui/repositories/{name}/tags/old");
        Browser.ClickAndWait("#remove-tag");
        Assert.That(Texts("#removing li"), Is.EqualTo(new[] { "tag old" }));
        Assert.That(await StatusAsync(name, "old"), Is.EqualTo(HttpStatusCode.OK), "nothing goes before the reader confirms");

        Browser.ClickAndWait("#confirm-removal");
        Assert.That(Browser.Location, Is.EqualTo($"/ui/repositories/{name}"));
        Assert.That(Texts("#tags .tag-name"), Is.EqualTo(new[] { "keep" }));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await StatusAsync(name, "old"), Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(await StatusAsync(name, "keep"), Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await StatusAsync(name, image.Digest.ToString()), Is.EqualTo(HttpStatusCode.OK));
        }
    }

    [Test]
    public async Task RemovingAManifest_TakesItsTags_AndAManifestAListNeeds_IsRefusedSayingWhy()
    {
        var name = "ui-remove-manifest";
        var (amd64, arm64, alone) = (TestManifest.OciImage(), TestManifest.OciImage(), TestManifest.OciImage());
        await Registry.PushImageAsync(name, amd64);
        await Registry.PushImageAsync(name, arm64);
        var index = TestManifest.OciIndex(amd64, arm64);
        await Registry.PushImageAsync(name, index, "multi");
        await Registry.PushImageAsync(name, alone, "1.0");
        await Registry.PushImageAsync(name, alone, "1");

        SignInAsAdmin();
        Browser.Open($"/ui/repositories/{name}/manifests/{Uri.EscapeDataString(amd64.Digest.ToString())}");
        Browser.ClickAndWait("#remove-manifest");
        Assert.That(Browser.Find("#removal-refused").Text, Does.Contain("still needs it"));
        Assert.That(Texts("#still-needed li"), Is.EqualTo(new[] { $"manifest {amd64.Digest} is needed by list {index.Digest}" }));
        Assert.That(Browser.Has("#confirm-removal"), Is.False);

        Browser.Open($"/ui/repositories/{name}/manifests/{Uri.EscapeDataString(alone.Digest.ToString())}");
        Browser.ClickAndWait("#remove-manifest");
        Assert.That(Texts("#removing li"), Is.EquivalentTo(new[] { $"manifest {alone.Digest}", "tag 1.0", "tag 1" }));
        Browser.ClickAndWait("#confirm-removal");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await StatusAsync(name, alone.Digest.ToString()), Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(await StatusAsync(name, "1.0"), Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(await StatusAsync(name, amd64.Digest.ToString()), Is.EqualTo(HttpStatusCode.OK), "the refused removal removed nothing");
            Assert.That(await StatusAsync(name, "multi"), Is.EqualTo(HttpStatusCode.OK));
        }
    }

    [Test]
    public async Task AReaderWhoMayNotDelete_IsOfferedNoRemoval_AndIsRefusedByAddress()
    {
        var name = "ui-remove-pushers";
        var image = TestManifest.OciImage();
        await Registry.PushImageAsync(name, image, "1.0");
        var login = await CreateUserAsync((name, "pull,push"));

        Browser.SignIn(login, UserPassword);
        Browser.Open($"/ui/repositories/{name}/tags/1.0");
        Assert.That(Browser.Has("#history"), Is.True, "the history is theirs to read");
        Assert.That(Browser.Has("#remove-tag"), Is.False);
        Browser.Open($"/ui/repositories/{name}/manifests/{Uri.EscapeDataString(image.Digest.ToString())}");
        Assert.That(Browser.Has("#remove-manifest"), Is.False);

        Browser.Open($"/ui/repositories/{name}/remove?tag=1.0");
        Assert.That(Browser.Find("#problem").Text, Does.Contain("delete"));
        Assert.That(await StatusAsync(name, "1.0"), Is.EqualTo(HttpStatusCode.OK));
    }
}
