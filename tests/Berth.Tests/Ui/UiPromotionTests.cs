using System.Net;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Ui;

/// <summary>Promotion in the browser: tags chosen, what comes with them shown, then promoted as the registry API sees it.</summary>
[NonParallelizable]
public sealed class UiPromotionTests : UiFixture
{
    private async Task<string> DigestAsync(string name, string tag) =>
        await ManifestAsync(name, tag) is { Digest: { } digest } ? digest : "(404)";

    [Test]
    public async Task Promotion_ShowsWhatComes_ThenPromotesTheTagWithAllItNeeds()
    {
        var (source, destination) = ("ui-promo-src", "ui-promo-dest");
        var (amd64, arm64) = (TestManifest.OciImage(layers: 2), TestManifest.OciImage(layers: 1));
        await Registry.PushImageAsync(source, amd64);
        await Registry.PushImageAsync(source, arm64);
        var index = TestManifest.OciIndex(amd64, arm64);
        await Registry.PushImageAsync(source, index, "1.0");
        await Registry.PushImageAsync(source, TestManifest.OciImage(), "2.0");
        await Registry.PushImageAsync(destination, TestManifest.OciImage(), "base");

        SignInAsAdmin();
        Browser.Open($"/ui/repositories/{source}");
        Browser.Find("input[name=tag][value='1.0']").Click();
        Browser.Type("#promote-to", destination);
        Browser.ClickAndWait("#review-promotion");

        Assert.That(Browser.Location, Does.StartWith($"/ui/repositories/{source}/promote?"));
        Assert.That(Texts("#promoted-tags li"), Is.EqualTo(new[] { "1.0" }));
        var summary = Browser.Find("#promotion-summary").Text;
        Assert.That(summary, Does.Contain("1 tag,").And.Contain("3 manifests").And.Contain("5 blobs"), "the index, its two images, their configs and three layers");
        Assert.That(Texts("#closure td.digest"), Does.Contain(index.Digest.ToString()).And.Contain(amd64.Digest.ToString()).And.Contain(arm64.Digest.ToString()));
        Assert.That(await DigestAsync(destination, "1.0"), Is.EqualTo("(404)"), "nothing moves before the reader confirms");

        Browser.ClickAndWait("#confirm-promotion");
        Assert.That(Browser.Location, Is.EqualTo($"/ui/repositories/{destination}"));
        Assert.That(Texts("#tags .tag-name"), Is.EqualTo(new[] { "1.0", "base" }));
        Assert.That(await DigestAsync(destination, "1.0"), Is.EqualTo(index.Digest.ToString()), "the registry serves the promoted list");
        Assert.That(await DigestAsync(destination, "2.0"), Is.EqualTo("(404)"), "only the tag chosen came");
        using var child = await Registry.Http.GetAsync($"/v2/{destination}/manifests/{arm64.Digest}");
        Assert.That(child.StatusCode, Is.EqualTo(HttpStatusCode.OK), "what the list needs came with it");
    }

    [Test]
    public async Task AReaderWhoMayPushNowhere_IsOfferedNoPromotion_AndCannotForgeOne()
    {
        var (source, destination) = ("ui-promo-pull", "ui-promo-closed");
        await Registry.PushImageAsync(source, TestManifest.OciImage(), "1.0");
        await Registry.PushImageAsync(destination, TestManifest.OciImage(), "base");
        var login = await CreateUserAsync((source, "pull"));

        Browser.SignIn(login, UserPassword);
        Browser.Open($"/ui/repositories/{source}");
        Assert.That(Texts("#tags .tag-name"), Is.EqualTo(new[] { "1.0" }));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Browser.Has("input[name=tag]"), Is.False);
            Assert.That(Browser.Has("#review-promotion"), Is.False);
        }

        // Asked for by address: the destination does not exist for this reader, and nothing moves.
        Browser.Open($"/ui/repositories/{source}/promote?tag=1.0&to={destination}");
        Assert.That(Browser.Find("#problem").Text, Does.Contain(destination));
        Assert.That(await DigestAsync(destination, "1.0"), Is.EqualTo("(404)"));
    }
}
