using System.Net;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Ui;

/// <summary>A retention policy edited in the browser: what it would remove (and why each tag goes or stays) before it is saved.</summary>
[NonParallelizable]
public sealed class UiRetentionTests : UiFixture
{
    [Test]
    public async Task APolicy_IsPreviewedWithItsReasons_ThenSaved_AndNothingIsRemovedByEither()
    {
        var name = "ui-retention";
        foreach (var version in Enumerable.Range(1, 5))
        {
            await Registry.PushImageAsync(name, TestManifest.OciImage(), $"v{version}");
        }

        await Registry.PushImageAsync(name, TestManifest.OciImage(), "stable");

        SignInAsAdmin();
        Browser.Open($"/ui/repositories/{name}");
        Browser.ClickAndWait("#retention-link");
        Browser.Type("#pattern-0", "v*");
        Browser.Type("#keep-0", "2");
        Browser.ClickAndWait("#preview-retention");

        Assert.That(Browser.Find("#preview-summary").Text, Does.Contain("3 tags, 3 manifests and 6 blobs"));
        var rows = Browser.FindAll("#preview tbody tr").ToDictionary(
            r => r.FindElement(OpenQA.Selenium.By.CssSelector(".tag-name")).Text,
            r => r.FindElements(OpenQA.Selenium.By.TagName("td")).Skip(1).Select(td => td.Text).ToArray());
        using (Assert.EnterMultipleScope())
        {
            Assert.That(rows["v1"], Is.EqualTo(new[] { "go", "beyond the newest 2 of 'v*'" }));
            Assert.That(rows["v3"], Is.EqualTo(new[] { "go", "beyond the newest 2 of 'v*'" }));
            Assert.That(rows["v4"], Is.EqualTo(new[] { "stay", "among the newest 2 of 'v*'" }));
            Assert.That(rows["v5"], Is.EqualTo(new[] { "stay", "among the newest 2 of 'v*'" }));
            Assert.That(rows["stable"], Is.EqualTo(new[] { "stay", "no rule matches it" }));
        }

        using (var nothingYet = await Api.Http.GetAsync($"{ContentApiClient.Root}/repositories/{name}/retention/"))
        {
            Assert.That(nothingYet.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "a preview saves nothing");
        }

        Browser.ClickAndWait("#save-retention");
        Assert.That(Browser.Find("#retention-saved").Text, Does.Contain("nothing was removed now"));
        Assert.That(Browser.Find("#current-policy").Text, Does.Contain("keep the newest 2 of the tags matching 'v*'"));
        var saved = await Api.GetJsonAsync($"/repositories/{name}/retention/");
        Assert.That(saved["tags"]!.ToJsonString(), Is.EqualTo("""[{"pattern":"v*","keep":2}]"""));
        Assert.That((await ManifestAsync(name, "v1")).Status, Is.EqualTo(HttpStatusCode.OK), "saving removes nothing by itself");
        await Host.AssertAuditedAsync(["action=retention.set", $"target={name}", $"user={TestCredentials.AdminLogin}"]);
    }

    [Test]
    public async Task ABadPolicy_IsRefusedSayingWhy_AndAReaderWhoIsNotAdministrator_CanOnlyReadIt()
    {
        var name = "ui-retention-readers";
        await Registry.PushImageAsync(name, TestManifest.OciImage(), "v1");

        SignInAsAdmin();
        Browser.Open($"/ui/repositories/{name}/retention");
        Browser.Type("#pattern-0", "v/*");
        Browser.Type("#keep-0", "2");
        Browser.ClickAndWait("#preview-retention");
        Assert.That(Browser.Find("#problem").Text, Does.Contain("may hold only the characters of tags"));

        var login = await CreateUserAsync((name, "pull,push,delete"));
        Browser.Forget();
        Browser.SignIn(login, UserPassword);
        Browser.Open($"/ui/repositories/{name}/retention");
        Assert.That(Browser.Find("#current-policy").Text, Does.Contain("no policy"));
        Assert.That(Browser.Has("#retention-form"), Is.False, "only the repository's administrators change its policy");
    }
}
