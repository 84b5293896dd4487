using System.Net;
using System.Text.Json.Nodes;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Access;

/// <summary>
/// A token never exceeds its scope, account management included (issue 18, finding 1): a robot's token cannot
/// mint a wider token, change its user's password, or list and revoke its user's tokens; a token made by a token
/// lies within it.
/// </summary>
public sealed class AccountScopeTests : AccessFixture
{
    private static JsonObject Scope(string name, string pattern, string actions, bool? account = null)
    {
        var body = new JsonObject
        {
            ["name"] = name,
            ["scope"] = new JsonArray(new JsonObject { ["pattern"] = pattern, ["actions"] = new JsonArray([.. actions.Split(',').Select(a => JsonValue.Create(a))]) }),
        };
        if (account is { } flag)
        {
            body["account"] = flag;
        }

        return body;
    }

    private async Task<HttpResponseMessage> AsAsync(string login, string secret, HttpMethod method, string path, string? body = null)
    {
        using var request = new HttpRequestMessage(method, ContentApiClient.Root + path);
        if (body is not null)
        {
            request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        }

        return await ClientAs(login, secret).SendAsync(request);
    }

    [Test]
    public async Task ARobotToken_CannotMintTokens_ChangeThePassword_OrSeeAndRevokeTokens()
    {
        var login = await CreateUserAsync(("robot/*", "pull,push,delete,admin"));
        var robot = await CreateTokenAsync(login, Scope("robot", "robot/app", "pull"), asLogin: login);
        var other = await CreateTokenAsync(login, new JsonObject { ["name"] = "other" }, asLogin: login);
        var otherId = other.Split('_')[1];

        foreach (var (method, path, body) in new (HttpMethod, string, string?)[]
        {
            (HttpMethod.Post, $"/users/{login}/tokens/", """{"name": "full"}"""),
            (HttpMethod.Post, $"/users/{login}/tokens/", """{"name": "full", "scope": [{"pattern": "*", "actions": ["*"]}]}"""),
            (HttpMethod.Put, $"/users/{login}/", """{"delta": {"password": "taken-over-password"}}"""),
            (HttpMethod.Get, $"/users/{login}/tokens/", null),
            (HttpMethod.Delete, $"/users/{login}/tokens/{otherId}/", null),
            (HttpMethod.Get, $"/users/{login}/", null),
        })
        {
            using var response = await AsAsync(login, robot, method, path, body);
            await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.Forbidden, "BRT0403", "account");
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That((await ApiAs(login).GetJsonAsync($"/users/{login}/tokens/")).AsArray(), Has.Count.EqualTo(2), "no token was made or revoked");
            Assert.That((await ApiAs(login).GetJsonAsync($"/users/{login}/"))["login"]!.GetValue<string>(), Is.EqualTo(login), "the password still signs in");
        }
    }

    /// <summary>The penetration test's chain: an administrator's robot token, scoped to pull one repository, must not become an administrator.</summary>
    [Test]
    public async Task AnAdministratorsRobotToken_CannotBecomeAnAdministrator()
    {
        var robot = await CreateTokenAsync(TestCredentials.AdminLogin, Scope("robot", "app", "pull"));
        using (var minted = await AsAsync(TestCredentials.AdminLogin, robot, HttpMethod.Post, $"/users/{TestCredentials.AdminLogin}/tokens/", """{"name": "full"}"""))
        {
            await ContentApiClient.ReadErrorAsync(minted, HttpStatusCode.Forbidden, "BRT0403");
        }

        using (var created = await AsAsync(
            TestCredentials.AdminLogin, robot, HttpMethod.Post, "/users/", """{"login": "evil", "password": "evil-password", "grants": [{"pattern": "*", "actions": ["*"]}]}"""))
        {
            await ContentApiClient.ReadErrorAsync(created, HttpStatusCode.Forbidden, "BRT0403");
        }

        using var users = await Api.Http.GetAsync($"{ContentApiClient.Root}/users/evil/");
        Assert.That(users.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task AnAccountToken_MakesTokensOnlyWithinItsOwnScope()
    {
        var login = await CreateUserAsync(("team/*", "pull,push,delete,admin"));
        var manager = await CreateTokenAsync(login, Scope("manager", "team/*", "pull,push", account: true), asLogin: login);

        var narrower = await CreateTokenAsync(login, Scope("ci", "team/app", "pull"), login, manager);
        Assert.That(narrower, Does.StartWith("berth_"));

        // Omitted, the scope is the creating token's own, not everything.
        using (var defaulted = await AsAsync(login, manager, HttpMethod.Post, $"/users/{login}/tokens/", """{"name": "default"}"""))
        {
            var created = await ContentApiClient.ReadAsync(defaulted, HttpStatusCode.Created);
            using (Assert.EnterMultipleScope())
            {
                Assert.That(created["scope"]![0]!["pattern"]!.GetValue<string>(), Is.EqualTo("team/*"));
                Assert.That(created["scope"]![0]!["actions"]!.AsArray().Select(a => a!.GetValue<string>()), Is.EqualTo(new[] { "pull", "push" }));
                Assert.That(created["account"]!.GetValue<bool>(), Is.False);
            }
        }

        foreach (var wider in new[]
        {
            Scope("everywhere", "*", "pull"),
            Scope("more actions", "team/*", "pull,push,delete"),
            Scope("wider pattern", "team*", "pull"),
            Scope("a wildcard where a letter was", "?eam/*", "pull"),
        })
        {
            using var response = await AsAsync(login, manager, HttpMethod.Post, $"/users/{login}/tokens/", wider.ToJsonString());
            await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.Forbidden, "BRT0403", "within its own scope");
        }

        // The account passes on from a token that has it: tokens may be listed and made; but no token, account or
        // not, becomes the password, which would reach past its scope.
        var ci = await CreateTokenAsync(login, Scope("ci2", "team/app", "pull", account: true), login, manager);
        using (var listed = await AsAsync(login, ci, HttpMethod.Get, $"/users/{login}/tokens/"))
        {
            await ContentApiClient.ReadAsync(listed, HttpStatusCode.OK);
        }

        foreach (var token in new[] { manager, ci })
        {
            using var password = await AsAsync(login, token, HttpMethod.Put, $"/users/{login}/", """{"delta": {"password": "changed-by-token"}}""");
            await ContentApiClient.ReadErrorAsync(password, HttpStatusCode.Forbidden, "BRT0403", "needs the password");
        }
    }

    [Test]
    public async Task AnAdministratorsTokenWithoutTheAccount_ManagesOthers_ButNotItsOwnAccount()
    {
        var other = await CreateUserAsync(("team/*", "pull"));
        var admin = await CreateTokenAsync(TestCredentials.AdminLogin, Scope("admin robot", "*", "*"));
        using (var others = await AsAsync(TestCredentials.AdminLogin, admin, HttpMethod.Get, $"/users/{other}/tokens/"))
        {
            await ContentApiClient.ReadAsync(others, HttpStatusCode.OK);
        }

        foreach (var (method, body) in new (HttpMethod, string?)[] { (HttpMethod.Get, null), (HttpMethod.Post, """{"name": "more"}""") })
        {
            using var own = await AsAsync(TestCredentials.AdminLogin, admin, method, $"/users/{TestCredentials.AdminLogin}/tokens/", body);
            await ContentApiClient.ReadErrorAsync(own, HttpStatusCode.Forbidden, "BRT0403", "account");
        }

        using var password = await AsAsync(
            TestCredentials.AdminLogin, admin, HttpMethod.Put, $"/users/{TestCredentials.AdminLogin}/", """{"delta": {"password": "locked-out-admin"}}""");
        await ContentApiClient.ReadErrorAsync(password, HttpStatusCode.Forbidden, "BRT0403", "account");
    }

    [Test]
    public async Task AScopeOfMoreThan32Grants_Is400()
    {
        var login = await CreateUserAsync(("team/*", "pull"));
        var scope = new JsonArray([.. Enumerable.Range(0, 33).Select(i => (JsonNode)new JsonObject { ["pattern"] = $"team/{i}", ["actions"] = new JsonArray("pull") })]);
        using var response = await Api.PostJsonAsync($"/users/{login}/tokens/", new JsonObject { ["name"] = "wide", ["scope"] = scope });
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.BadRequest, "PLP0015", "32 grants at most");
    }

    [Test]
    public async Task ATokenWithoutTheAccount_CannotMakeOneWithIt()
    {
        var login = await CreateUserAsync(("team/*", "pull"));
        var admin = await CreateTokenAsync(TestCredentials.AdminLogin, Scope("admin robot", "*", "*"));
        using var response = await AsAsync(
            TestCredentials.AdminLogin, admin, HttpMethod.Post, $"/users/{login}/tokens/", Scope("escalate", "team/*", "pull", account: true).ToJsonString());
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.Forbidden, "BRT0403", "account");

        // An administrator's token may still manage other users (it is scoped to admin on everything), within its scope.
        var made = await CreateTokenAsync(login, Scope("for user", "team/*", "pull"), TestCredentials.AdminLogin, admin);
        Assert.That(made, Does.StartWith("berth_"));
    }

    [Test]
    public async Task ATokenMadeByAToken_DoesNotOutliveIt()
    {
        var login = await CreateUserAsync(("team/*", "pull"));
        var manager = await CreateTokenAsync(login, new JsonObject { ["name"] = "manager", ["account"] = true, ["expires_in_days"] = 7 }, asLogin: login);
        using var response = await AsAsync(login, manager, HttpMethod.Post, $"/users/{login}/tokens/", """{"name": "longer", "expires_in_days": 30}""");
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.BadRequest, "PLP0015", "outlive");
    }

    [TestCase("""{"name": "ci\n      audit action=user.create target=evil user=admin"}""", "printable", TestName = "TokenName_WithANewline_Is400")]
    [TestCase("""{"name": "ci\u2028line"}""", "printable", TestName = "TokenName_WithALineSeparator_Is400")]
    [TestCase("""{"name": "ci\u202Eevil"}""", "printable", TestName = "TokenName_WithABidiOverride_Is400")]
    [TestCase("""{"name": "   "}""", "printable", TestName = "TokenName_Blank_Is400")]
    [TestCase("""{"name": "ci", "expires": "9999-12-31T23:59:59Z"}""", "3650 days", TestName = "TokenExpires_FarFuture_Is400LikeExpiresInDays")]
    [TestCase("""{"name": "ci", "account": "yes"}""", "true or false", TestName = "TokenAccount_NotABoolean_Is400")]
    public async Task TokenRequest_Refused(string body, string reason)
    {
        var login = await CreateUserAsync(("team/*", "pull"));
        using var response = await Api.PostJsonAsync($"/users/{login}/tokens/", body);
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.BadRequest, "PLP0015", reason);
        Assert.That((await Api.GetJsonAsync($"/users/{login}/tokens/")).AsArray(), Is.Empty);
    }

    [Test]
    public async Task TokenName_InAnyScript_IsKept()
    {
        var login = await CreateUserAsync(("team/*", "pull"));
        await CreateTokenAsync(login, new JsonObject { ["name"] = "déploiement — CI #4 (staging)" });
        Assert.That((await Api.GetJsonAsync($"/users/{login}/tokens/"))[0]!["name"]!.GetValue<string>(), Is.EqualTo("déploiement — CI #4 (staging)"));
    }

    /// <summary>
    /// A pattern written to make a backtracking matcher slow costs nothing: the token signs in and its scope is
    /// judged at once (it used to throw a match timeout, a 500, after 100 ms per check).
    /// </summary>
    [Test]
    public async Task AScopePatternBuiltToBacktrack_IsMatchedInLinearTime()
    {
        var login = await CreateUserAsync(("*", "pull"));
        var pattern = string.Concat(Enumerable.Repeat("*a", 60)) + "b";
        var token = await CreateTokenAsync(login, Scope("slow", pattern, "pull"), asLogin: login);
        var repository = new string('a', 200);
        await Api.CreateRepositoryAsync(repository);
        var started = System.Diagnostics.Stopwatch.StartNew();
        using var response = await AsAsync(login, token, HttpMethod.Get, $"/repositories/{repository}/");
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.NotFound, "PLP0009");
        Assert.That(started.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
    }
}
