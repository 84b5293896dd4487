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
        Browser.ConfirmAndWait("#tokens button.revoke");
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

    [Test]
    public async Task AnAdministrator_OpensARepositoryToAnonymousPulls_AndClosesItFromTheUsersPage()
    {
        var name = "ui-anonymous";
        await Registry.PushImageAsync(name, TestManifest.OciImage(), "v1");
        using var anonymous = Host.CreateAnonymousClient();

        SignInAsAdmin();
        Browser.Open($"/ui/repositories/{name}");
        Assert.That(Browser.Find("#anonymous-pull-state").Text, Is.EqualTo("not allowed"));
        Browser.ConfirmAndWait("#toggle-anonymous-pull");
        Assert.That(Browser.Location, Is.EqualTo($"/ui/repositories/{name}"));
        Assert.That(Browser.Find("#anonymous-pull-state").Text, Does.StartWith("allowed"));
        using (var pull = await anonymous.GetAsync($"/v2/{name}/tags/list"))
        {
            Assert.That(pull.StatusCode, Is.EqualTo(HttpStatusCode.OK), "anyone may pull it now");
        }

        Browser.Open("/ui/users");
        Assert.That(Texts("#anonymous li a"), Does.Contain(name));
        Browser.ConfirmAndWait($"#anonymous button[aria-label='Close {name} to anonymous pulls']");
        Assert.That(Browser.Location, Is.EqualTo("/ui/users"), "back to the page the button was on");
        Assert.That(Texts("#anonymous li a"), Does.Not.Contain(name));
        using (var pull = await anonymous.GetAsync($"/v2/{name}/tags/list"))
        {
            Assert.That(pull.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "closed again");
        }

        await Host.AssertAuditedAsync(
            ["action=repository.update", $"target={name}", "anonymous_pull", "true"], ["action=repository.update", $"target={name}", "anonymous_pull", "false"]);
    }

    [Test]
    public async Task AReaderWhoDoesNotAdministerARepository_IsOfferedNoAnonymousToggle_AndRefusedByAddress()
    {
        var name = "ui-anonymous-pusher";
        await Registry.PushImageAsync(name, TestManifest.OciImage(), "v1");
        var login = await CreateUserAsync(("ui-anonymous-*", "pull,push,delete"));

        Browser.SignIn(login, UserPassword);
        Browser.Open($"/ui/repositories/{name}");
        Assert.That(Browser.Find("#anonymous-pull-state").Text, Is.EqualTo("not allowed"));
        Assert.That(Browser.Has("#anonymous-pull-form"), Is.False);

        // Their own session and a valid token of their page: the server refuses what their grants do not allow.
        using var client = BrowserClient();
        using var refused = await client.PostAsync(
            $"/ui/repositories/{name}?handler=anonymous", new FormUrlEncodedContent([new("__form", FormToken()), new("open", "true")]));
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), await refused.Content.ReadAsStringAsync());
        using var anonymous = Host.CreateAnonymousClient();
        using var pull = await anonymous.GetAsync($"/v2/{name}/tags/list");
        Assert.That(pull.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "nothing changed");
    }

    [Test]
    public async Task AUser_ChangesTheirOwnPassword_OnlyWithTheCurrentOne_AndStaysSignedIn()
    {
        var login = await CreateUserAsync(("ui-password*", "pull"));
        Browser.SignIn(login, UserPassword);
        ChangePassword(login, "not-the-password", "a-new-password-2", "a-new-password-2");
        Assert.That(Browser.Find("#problem").Text, Does.Contain("current password is wrong"));
        ChangePassword(login, UserPassword, "a-new-password-2", "a-different-one");
        Assert.That(Browser.Find("#problem").Text, Does.Contain("twice"));
        ChangePassword(login, UserPassword, "a-new-password-2", "a-new-password-2");
        Assert.That(Browser.Find("#password-changed").Text, Does.Contain("this one goes on"));
        Browser.Open("/ui/");
        Assert.That(Browser.Find("#signed-in-as").Text, Is.EqualTo(login), "the session goes on with the new password");

        using (var old = ClientAs(login))
        using (var refused = await old.GetAsync("/v2/"))
        {
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "the old password is refused");
        }

        using (var renewed = ClientAs(login, "a-new-password-2"))
        using (var accepted = await renewed.GetAsync("/v2/"))
        {
            Assert.That(accepted.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        await Host.AssertAuditedAsync(["action=user.password", $"target={login}", $"user={login}"]);
    }

    [Test]
    public async Task AnAdministrator_SetsAnotherUsersPassword_EndingTheirSession_ThenDeletesThem()
    {
        var login = await CreateUserAsync(("ui-deleted*", "pull"));
        Browser.SignIn(login, UserPassword);
        var theirSession = Browser.CookieNamed("berth_session")!.Value;
        Browser.Forget();

        SignInAsAdmin();
        ChangePassword(login, null, "set-by-the-admin-1", "set-by-the-admin-1");
        Assert.That(Browser.Find("#password-changed").Text, Does.Contain("have ended"));
        using (var client = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = new Uri(Browser.BaseAddress) })
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/ui/"))
        {
            request.Headers.Add("Cookie", "berth_session=" + theirSession);
            using var page = await client.SendAsync(request);
            Assert.That(await page.Content.ReadAsStringAsync(), Does.Not.Contain("id=\"signed-in-as\""), "their session ended with their password");
            Assert.That(page.Headers.GetValues("Set-Cookie"), Has.Some.StartsWith("berth_session=;"), "and their browser is told to forget it");
        }

        Browser.ConfirmAndWait("#delete-user");
        Assert.That(Browser.Location, Is.EqualTo("/ui/users"));
        Assert.That(Texts("#users tbody td:first-child a"), Does.Not.Contain(login));
        using (var gone = ClientAs(login, "set-by-the-admin-1"))
        using (var refused = await gone.GetAsync("/v2/"))
        {
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        }

        // The last administrator stays, whoever asks.
        Browser.Open($"/ui/users/{TestCredentials.AdminLogin}");
        Browser.ConfirmAndWait("#delete-user");
        Assert.That(Browser.Find("#problem").Text, Does.Contain("administrator"));
        Browser.Open("/ui/users");
        Assert.That(Texts("#users tbody td:first-child a"), Does.Contain(TestCredentials.AdminLogin));
        await Host.AssertAuditedAsync(["action=user.password", $"target={login}", $"user={TestCredentials.AdminLogin}"], ["action=user.delete", $"target={login}"]);
    }

    /// <summary>Changes a user's password on their page; <paramref name="current"/> is asked of the user themselves only.</summary>
    private void ChangePassword(string login, string? current, string password, string again)
    {
        Browser.Open($"/ui/users/{login}");
        Assert.That(Browser.Has("#current-password"), Is.EqualTo(current is not null), "the current password is asked of the user only");
        if (current is not null)
        {
            Browser.Type("#current-password", current);
        }

        Browser.Type("#new-password", password);
        Browser.Type("#new-password-again", again);
        Browser.ClickAndWait("#change-password");
    }

    /// <summary>The token of the forms of the page the browser shows.</summary>
    private string FormToken() => Browser.FindAll("input[name=__form]")[0].GetAttribute("value")!;
}
