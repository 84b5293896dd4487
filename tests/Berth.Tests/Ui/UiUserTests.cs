using System.Net;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Ui;

/// <summary>Users and tokens in the browser: administrators see users and grants, make a robot token shown once, and revoke it.</summary>
[NonParallelizable]
public sealed class UiUserTests : UiFixture
{
    [Test]
    public async Task ARobotToken_IsShownOnce_WorksAtTheRegistry_AndIsRevoked()
    {
        var name = "ui-robot";
        await Registry.PushImageAsync(name, TestManifest.OciImage(), "v1");
        var login = await CreateUserAsync(("ui-robot*", "pull,push"));

        SignInAsAdmin();
        Browser.ClickAndWait("#nav-users");
        var row = Browser.FindAll("#users tbody tr").Single(r => r.Text.StartsWith(login, StringComparison.Ordinal));
        Assert.That(row.Text, Does.Contain("ui-robot*: pull, push"));
        Assert.That(Browser.FindAll("#users tbody tr").Single(r => r.Text.StartsWith("admin", StringComparison.Ordinal)).Text, Does.Contain("administrator"));

        Browser.Open($"/ui/users/{login}");
        Browser.Type("#token-name", "ci-puller");
        Browser.Type("#token-pattern", name);
        Browser.Type("#token-days", "30");
        Browser.ClickAndWait("#make-token");
        var secret = Browser.Find("#token-secret").Text;
        Assert.That(secret, Does.StartWith("berth_"));
        Assert.That(Texts("#tokens .token-name"), Is.EqualTo(new[] { "ci-puller" }));

        using var robot = Host.CreateAnonymousClient().SignIn(login, secret);
        using (var tags = await robot.GetAsync($"/v2/{name}/tags/list"))
        {
            Assert.That(tags.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the token pulls what its scope names");
        }

        using (var push = await robot.PostAsync($"/v2/{name}/blobs/uploads/", null))
        {
            Assert.That(push.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "and nothing beyond it");
        }

        Browser.Open($"/ui/users/{login}");
        Assert.That(Browser.Has("#token-secret"), Is.False, "the secret is shown once");
        Browser.Find("#tokens button.revoke").Click();
        Browser.Driver.SwitchTo().Alert().Accept();
        Assert.That(Browser.Find("#no-tokens").Text, Is.EqualTo("No tokens."));
        using (var revoked = await robot.GetAsync($"/v2/{name}/tags/list"))
        {
            Assert.That(revoked.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        }

        await Host.AssertAuditedAsync(["action=token.create", $"target={login}/"], ["action=token.revoke", $"target={login}/"]);
    }

    [Test]
    public async Task Administrators_CreateAUser_AndChangeTheirGrants()
    {
        var login = "ui-made-" + Guid.NewGuid().ToString("N")[..8];
        await Registry.PushImageAsync("ui-made-repo", TestManifest.OciImage(), "v1");

        SignInAsAdmin();
        Browser.Open("/ui/users");
        Browser.Type("#new-login", login);
        Browser.Type("#new-password", "a-long-enough-password");
        Browser.Type("#new-pattern", "ui-made-*");
        Browser.Find("#new-action-pull").Click();
        Browser.ClickAndWait("#create-user");
        Assert.That(Browser.Location, Is.EqualTo($"/ui/users/{login}"));
        Assert.That(Browser.Find("#grants").Text, Is.EqualTo("ui-made-*: pull"));

        using var user = Host.CreateAnonymousClient().SignIn(login, "a-long-enough-password");
        using (var pull = await user.GetAsync("/v2/ui-made-repo/tags/list"))
        {
            Assert.That(pull.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the new user signs in and pulls what the grant names");
        }

        Browser.Type("#grant-actions-0", "pull,push");
        Browser.ClickAndWait("#save-grants");
        Assert.That(Browser.Find("#grants").Text, Is.EqualTo("ui-made-*: pull, push"));
        using (var push = await user.PostAsync("/v2/ui-made-repo/blobs/uploads/", null))
        {
            Assert.That(push.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), "the new grant holds at once");
        }

        Browser.Type("#grant-actions-0", "pull,own");
        Browser.ClickAndWait("#save-grants");
        Assert.That(Browser.Find("#problem").Text, Does.Contain("own"));
        Browser.Open($"/ui/users/{login}");
        Assert.That(Browser.Find("#grants").Text, Is.EqualTo("ui-made-*: pull, push"), "a refused change changes nothing");
        await Host.AssertAuditedAsync(["action=user.create", $"target={login}"], ["action=user.grants", $"target={login}"]);
    }

    [Test]
    public async Task SignIn_IsThrottledAsEverySignInIs_EvenForTheRightPassword()
    {
        var login = await CreateUserAsync(("ui-throttled*", "pull"));
        for (var attempt = 0; attempt < 10; attempt++)
        {
            Browser.SignIn(login, "not-the-password");
            Assert.That(Browser.Find("#sign-in-refusal").Text, Does.Contain("Wrong user name or password"), $"attempt {attempt + 1}");
        }

        Browser.SignIn(login, UserPassword);
        Assert.That(Browser.Find("#sign-in-refusal").Text, Does.Contain("Too many failed sign-ins"));
        Assert.That(Browser.CookieNamed("berth_session"), Is.Null, "a guess that is right is not told apart while throttled");

        using var api = ClientAs(login);
        using var refused = await api.GetAsync("/v2/");
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests), "the APIs count the same failures");
    }

    [Test]
    public async Task AUser_ManagesTheirOwnTokens_ButSeesNoOneElse()
    {
        var login = await CreateUserAsync(("ui-own*", "pull"));
        var other = await CreateUserAsync(("ui-other*", "pull"));

        Browser.SignIn(login, UserPassword);
        Assert.That(Browser.Has("#nav-users"), Is.False);
        Browser.ClickAndWait("#signed-in-as");
        Assert.That(Browser.Location, Is.EqualTo($"/ui/users/{login}"));
        Assert.That(Browser.Has("#token-form"), Is.True);

        Browser.Open("/ui/users");
        Assert.That(Browser.Find("#problem").Text, Does.Contain("administrator"));
        Browser.Open($"/ui/users/{other}");
        Assert.That(Browser.Find("#problem").Text, Does.Contain("administrator"));
    }
}
