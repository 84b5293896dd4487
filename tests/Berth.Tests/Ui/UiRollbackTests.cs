using System.Net;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Ui;

/// <summary>A tag's history in the browser, rolled back by a reader who may push and refused to one who may only pull.</summary>
[NonParallelizable]
public sealed class UiRollbackTests : UiFixture
{
    private async Task<(TestManifest First, TestManifest Second)> MovedTagAsync(string name)
    {
        var (first, second) = (TestManifest.OciImage(), TestManifest.OciImage());
        await Registry.PushImageAsync(name, first, "stable");
        await Registry.PushImageAsync(name, second, "stable");
        return (first, second);
    }

    private async Task<string?> TaggedDigestAsync(string name, string tag) => (await ManifestAsync(name, tag)).Digest;

    [Test]
    public async Task Rollback_ThroughTheUi_MovesTheTagBack_AsTheRegistrySees()
    {
        var name = "ui-rollback";
        var (first, second) = await MovedTagAsync(name);
        Assert.That(await TaggedDigestAsync(name, "stable"), Is.EqualTo(second.Digest.ToString()));

        SignInAsAdmin();
        Browser.Open($"/ui/repositories/{name}");
        Browser.ClickAndWait("#tags .tag-name a");
        Assert.That(Browser.Location, Is.EqualTo($"/ui/repositories/{name}/tags/stable"));
        Assert.That(Browser.Find("#current-digest").Text, Is.EqualTo(second.Digest.ToString()));
        Assert.That(Browser.FindAll("#history tbody tr").Count, Is.EqualTo(2), "the push and the move");

        // The page asks before it moves anything (its script's confirmation), and the reader agrees.
        Browser.ConfirmAndWait("form.rollback button");
        Assert.That(Browser.Find("#rolled-back").Text, Does.Contain(first.Digest.ToString()));

        Assert.That(await TaggedDigestAsync(name, "stable"), Is.EqualTo(first.Digest.ToString()), "the registry serves the earlier manifest");
        Assert.That(Browser.Find("#current-digest").Text, Is.EqualTo(first.Digest.ToString()));
        Assert.That(Browser.FindAll("#history tbody tr").Count, Is.EqualTo(3), "the rollback is a move of its own");
        await Host.AssertAuditedAsync(["action=tag_rollback", $"target={name}:stable", $"user={TestCredentials.AdminLogin}"]);
    }

    [Test]
    public async Task Rollback_DismissedInTheDialog_MovesNothing()
    {
        var name = "ui-rollback-dismissed";
        var (_, second) = await MovedTagAsync(name);

        SignInAsAdmin();
        Browser.Open($"/ui/repositories/{name}/tags/stable");
        Browser.Find("form.rollback button").Click();
        Browser.Driver.SwitchTo().Alert().Dismiss();

        Assert.That(await TaggedDigestAsync(name, "stable"), Is.EqualTo(second.Digest.ToString()));
    }

    [Test]
    public async Task APullOnlyReader_IsOfferedNoRollback_AndAForgedOneIsRefused()
    {
        var name = "ui-rollback-pull-only";
        var (first, second) = await MovedTagAsync(name);
        var login = await CreateUserAsync((name, "pull"));

        Browser.SignIn(login, UserPassword);
        Browser.Open($"/ui/repositories/{name}/tags/stable");
        Assert.That(Browser.Find("#current-digest").Text, Is.EqualTo(second.Digest.ToString()));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Browser.FindAll("#history tbody tr").Count, Is.EqualTo(2), "the history is theirs to read");
            Assert.That(Browser.Has("form.rollback"), Is.False, "no rollback is offered");
            Assert.That(Texts("#history th"), Does.Not.Contain("Roll back"));
        }

        // The reader's own session and a valid token of their page: the server still refuses what their grants do not allow.
        var token = Browser.FindAll("input[name=__form]")[0].GetAttribute("value");
        using var client = BrowserClient();
        using var refused = await client.PostAsync(
            $"/ui/repositories/{name}/tags/stable?handler=rollback", new FormUrlEncodedContent([new("__form", token), new("digest", first.Digest.ToString())]));
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), await refused.Content.ReadAsStringAsync());
        Assert.That(await refused.Content.ReadAsStringAsync(), Does.Contain("class=\"problem\""));

        Assert.That(await TaggedDigestAsync(name, "stable"), Is.EqualTo(second.Digest.ToString()), "the tag did not move");
    }
}
