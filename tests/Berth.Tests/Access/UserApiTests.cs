using System.Net;
using System.Text.Json.Nodes;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Access;

[TestFixture(StorageBackend.Default)]
[TestFixture(StorageBackend.PostgreSql)]
public sealed class UserApiTests(StorageBackend backend) : AccessFixture(ServerKind.InProcess, backend)
{
    // Token expiries are checked against the server's clock, which the tests move instead of waiting.
    protected override IReadOnlyDictionary<string, string>? Settings => new Dictionary<string, string>([ServerClock.Manual]);

    [Test]
    public async Task Administrator_CreatesAUser_WhoIsListedAndShown_WithoutAnyPasswordHash()
    {
        var login = await CreateUserAsync(("team/*", "pull,push"));
        var listed = (await Api.GetJsonAsync("/users/")).AsArray();
        var shown = await Api.GetJsonAsync($"/users/{login}/");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(listed.Select(u => u!["login"]!.GetValue<string>()), Does.Contain(login).And.Contain("admin"));
            Assert.That(shown["grants"]![0]!["pattern"]!.GetValue<string>(), Is.EqualTo("team/*"));
            Assert.That(shown["grants"]![0]!["actions"]!.AsArray().Select(a => a!.GetValue<string>()), Is.EqualTo(new[] { "pull", "push" }));
            Assert.That(shown["administrator"]!.GetValue<bool>(), Is.False);
            Assert.That(shown.ToJsonString(), Does.Not.Contain("pbkdf2").And.Not.Contain("password"));
            Assert.That((await Api.GetJsonAsync("/users/admin/"))["administrator"]!.GetValue<bool>(), Is.True);
        }
    }

    [Test]
    public async Task AUser_SeesThemself_ButNotOthersNorTheList()
    {
        var (me, other) = (await CreateUserAsync(), await CreateUserAsync());
        var api = ApiAs(me);
        using (Assert.EnterMultipleScope())
        {
            Assert.That((await api.GetJsonAsync($"/users/{me}/"))["login"]!.GetValue<string>(), Is.EqualTo(me));
        }

        await ContentApiClient.ReadErrorAsync(await api.Http.GetAsync($"{ContentApiClient.Root}/users/{other}/"), HttpStatusCode.Forbidden, "BRT0403");
        await ContentApiClient.ReadErrorAsync(await api.Http.GetAsync($"{ContentApiClient.Root}/users/"), HttpStatusCode.Forbidden, "BRT0403");
        await ContentApiClient.ReadErrorAsync(
            await api.PostJsonAsync("/users/", new JsonObject { ["login"] = "sneaky", ["password"] = "sneaky-password" }), HttpStatusCode.Forbidden, "BRT0403");
    }

    [Test]
    public async Task AUser_ChangesTheirOwnPassword_ButNotTheirGrants()
    {
        var login = await CreateUserAsync(("a", "pull"));
        var api = ApiAs(login);
        await ContentApiClient.ReadErrorAsync(
            await api.Http.PutAsync($"{ContentApiClient.Root}/users/{login}/", new StringContent("""{"delta": {"grants": [{"pattern": "*", "actions": ["admin"]}]}}""")),
            HttpStatusCode.Forbidden,
            "BRT0403");
        using (var changed = await api.Http.PutAsync($"{ContentApiClient.Root}/users/{login}/", new StringContent("""{"delta": {"password": "a-new-password"}}""")))
        {
            await ContentApiClient.ReadAsync(changed, HttpStatusCode.OK);
        }

        await ContentApiClient.ReadErrorAsync(await ApiAs(login).Http.GetAsync($"{ContentApiClient.Root}/users/{login}/"), HttpStatusCode.Unauthorized, "BRT0401");
        Assert.That((await ApiAs(login, "a-new-password").GetJsonAsync($"/users/{login}/"))["grants"]!.AsArray(), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Administrator_ChangesGrants_AndDeletesUsers()
    {
        var login = await CreateUserAsync(("a", "pull"));
        using (var changed = await Api.Http.PutAsync($"{ContentApiClient.Root}/users/{login}/", new StringContent("""{"delta": {"grants": [{"pattern": "b/*", "actions": ["push"]}]}}""")))
        {
            Assert.That((await ContentApiClient.ReadAsync(changed, HttpStatusCode.OK))["grants"]![0]!["pattern"]!.GetValue<string>(), Is.EqualTo("b/*"));
        }

        using (var deleted = await Api.Http.DeleteAsync($"{ContentApiClient.Root}/users/{login}/"))
        {
            await ContentApiClient.ReadAsync(deleted, HttpStatusCode.OK);
        }

        await ContentApiClient.ReadErrorAsync(await Api.Http.GetAsync($"{ContentApiClient.Root}/users/{login}/"), HttpStatusCode.NotFound, "PLP0009");
        await ContentApiClient.ReadErrorAsync(await ApiAs(login).Http.GetAsync($"{ContentApiClient.Root}/users/{login}/"), HttpStatusCode.Unauthorized, "BRT0401");
    }

    [Test]
    public async Task TheLastAdministrator_CannotBeDeletedOrDemoted()
    {
        await ContentApiClient.ReadErrorAsync(await Api.Http.DeleteAsync($"{ContentApiClient.Root}/users/admin/"), HttpStatusCode.Conflict, "BRT0409");
        await ContentApiClient.ReadErrorAsync(
            await Api.Http.PutAsync($"{ContentApiClient.Root}/users/admin/", new StringContent("""{"delta": {"grants": []}}""")),
            HttpStatusCode.Conflict,
            "BRT0409");
        Assert.That((await Api.GetJsonAsync("/users/admin/"))["administrator"]!.GetValue<bool>(), Is.True);
    }

    [TestCase("{\"login\":\"Upper\",\"password\":\"long-enough\"}", "not a valid login")]
    [TestCase("{\"login\":\"ok-login\",\"password\":\"short\"}", "at least 8 characters")]
    [TestCase("{\"login\":\"ok-login\"}", "password is required")]
    [TestCase("{\"login\":\"ok-login\",\"password\":\"long-enough\",\"grants\":[{\"pattern\":\"a b\",\"actions\":[\"pull\"]}]}", "pattern 'a b'")]
    [TestCase("{\"login\":\"ok-login\",\"password\":\"long-enough\",\"grants\":[{\"pattern\":\"a\",\"actions\":[\"fly\"]}]}", "'fly' is not one of")]
    [TestCase("{\"login\":\"ok-login\",\"password\":\"long-enough\",\"grants\":{}}", "must be an array")]
    [TestCase("{\"login\":\"ok-login\",\"password\":\"long-enough\",\"role\":\"x\"}", "unknown field role")]
    public async Task Create_Malformed_Is400(string body, string reason) =>
        await ContentApiClient.ReadErrorAsync(await Api.PostJsonAsync("/users/", body), HttpStatusCode.BadRequest, "PLP0015", reason);

    [Test]
    public async Task Create_Duplicate_Is409()
    {
        var login = await CreateUserAsync();
        await ContentApiClient.ReadErrorAsync(
            await Api.PostJsonAsync("/users/", new JsonObject { ["login"] = login, ["password"] = "another-password" }), HttpStatusCode.Conflict, "PLP0018");
    }

    [Test]
    public async Task Tokens_AreShownOnce_ListedWithoutSecret_AndRevocable()
    {
        var login = await CreateUserAsync(("team/*", "pull"));
        var secret = await CreateTokenAsync(login, new JsonObject { ["name"] = "ci", ["expires_in_days"] = 30 }, asLogin: login);
        var listed = (await ApiAs(login).GetJsonAsync($"/users/{login}/tokens/")).AsArray();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(secret, Does.Match("^berth_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$"));
            Assert.That(listed.Single()!["name"]!.GetValue<string>(), Is.EqualTo("ci"));
            // The secret's own part may hold '_' too (base64url): split off the prefix and the id only.
            Assert.That(listed.ToJsonString(), Does.Not.Contain(secret.Split('_', 3)[2]));
        }

        Assert.That((await ApiAs(login, secret).GetJsonAsync("/repositories/")).AsArray(), Is.Not.Null, "the token signs in as its user");
        var id = listed.Single()!["id"]!.GetValue<string>();
        using (var revoked = await ApiAs(login).Http.DeleteAsync($"{ContentApiClient.Root}/users/{login}/tokens/{id}/"))
        {
            await ContentApiClient.ReadAsync(revoked, HttpStatusCode.OK);
        }

        await ContentApiClient.ReadErrorAsync(await ApiAs(login, secret).Http.GetAsync($"{ContentApiClient.Root}/repositories/"), HttpStatusCode.Unauthorized, "BRT0401");
    }

    [Test]
    public async Task ATokenOfAnotherUser_OrForged_DoesNotSignIn()
    {
        var (owner, other) = (await CreateUserAsync(), await CreateUserAsync());
        var secret = await CreateTokenAsync(owner, new JsonObject { ["name"] = "mine" });
        var forged = secret[..^4] + (secret.EndsWith("AAAA", StringComparison.Ordinal) ? "BBBB" : "AAAA");
        await ContentApiClient.ReadErrorAsync(await ApiAs(other, secret).Http.GetAsync($"{ContentApiClient.Root}/users/{other}/"), HttpStatusCode.Unauthorized, "BRT0401");
        await ContentApiClient.ReadErrorAsync(await ApiAs(owner, forged).Http.GetAsync($"{ContentApiClient.Root}/users/{owner}/"), HttpStatusCode.Unauthorized, "BRT0401");
    }

    [Test]
    public async Task AnExpiredToken_NoLongerSignsIn()
    {
        var login = await CreateUserAsync();
        var secret = await CreateTokenAsync(login, new JsonObject { ["name"] = "brief", ["expires_in_days"] = 1 });
        var client = ApiAs(login, secret).Http;
        using (var valid = await client.GetAsync($"{ContentApiClient.Root}/repositories/"))
        {
            await ContentApiClient.ReadAsync(valid, HttpStatusCode.OK);
        }

        await Host.AdvanceClockAsync(TimeSpan.FromDays(1) + TimeSpan.FromSeconds(1));

        using var expired = await client.GetAsync($"{ContentApiClient.Root}/repositories/");
        await ContentApiClient.ReadErrorAsync(expired, HttpStatusCode.Unauthorized, "BRT0401");
    }

    [TestCase("{\"name\":\"x\",\"expires\":\"2001-01-01T00:00:00Z\"}", "in the future")]
    [TestCase("{\"name\":\"x\",\"expires_in_days\":0}", "positive integer")]
    [TestCase("{\"name\":\"x\",\"expires_in_days\":99999}", "3650")]
    [TestCase("{\"expires_in_days\":1}", "name is required")]
    [TestCase("{\"name\":\"x\",\"scope\":[{\"pattern\":\"*\",\"actions\":[]}]}", "is not one of")]
    public async Task Token_Malformed_Is400(string body, string reason) =>
        await ContentApiClient.ReadErrorAsync(await Api.PostJsonAsync("/users/admin/tokens/", body), HttpStatusCode.BadRequest, "PLP0015", reason);

    [Test]
    public async Task UserAndTokenChanges_AreAudited()
    {
        var login = await CreateUserAsync(("x", "pull"));
        await CreateTokenAsync(login, new JsonObject { ["name"] = "audited" });
        await Host.AssertAuditedAsync(["action=user.create", $"target={login}", "user=admin"], ["action=token.create", $"target={login}/"]);
    }
}
