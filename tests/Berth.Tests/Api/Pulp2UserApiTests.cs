using System.Net;
using System.Text.Json.Nodes;
using Berth.Tests.Access;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Api;

/// <summary>
/// Pulp 2's user calls where Berth differs: a user needs a password, and there are no login certificates. Each answers
/// with what to do instead, in the content API's error shape.
/// </summary>
public sealed class Pulp2UserApiTests : AccessFixture
{
    [Test]
    public async Task AUserWithOnlyALogin_IsRefused_SayingAPasswordIsNeeded_AndTokensAreForRobots()
    {
        var login = "u" + Guid.NewGuid().ToString("N")[..10];
        using var refused = await Api.PostJsonAsync("/users/", new JsonObject { ["login"] = login });
        await ContentApiClient.ReadErrorAsync(refused, HttpStatusCode.BadRequest, "PLP0015", "password is required", "/tokens/");
        using var missing = await Api.Http.GetAsync($"{ContentApiClient.Root}/users/{login}/");
        Assert.That(missing.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "nothing was made");
    }

    [Test]
    public async Task Search_WithPulp2Criteria_FindsUsers_ByLoginGrantsAndTime()
    {
        var (pusher, puller) = (await CreateUserAsync(("team/*", "pull,push")), await CreateUserAsync(("*", "pull")));
        var both = $$$"""["{{{pusher}}}", "{{{puller}}}"]""";

        using (var response = await Api.PostJsonAsync("/users/search/", """
            {"criteria": {"filters": {"login": {"$in": BOTH}, "created": {"$gte": {"$date": "2000-01-01T00:00:00Z"}}},
                          "sort": [["login", "descending"]], "fields": ["administrator"]}}
            """.Replace("BOTH", both, StringComparison.Ordinal)))
        {
            var found = (await ContentApiClient.ReadAsync(response, HttpStatusCode.OK)).AsArray();
            Assert.That(found.Select(u => u!["login"]!.GetValue<string>()), Is.EqualTo(new[] { pusher, puller }.OrderDescending(StringComparer.Ordinal)));
            Assert.That(found.Select(u => u!.AsObject().Select(f => f.Key).Order()), Has.All.EqualTo(new[] { "_href", "administrator", "login" }));
        }

        using (var response = await Api.PostJsonAsync("/users/search/", """{"criteria": {"filters": {"login": {"$in": BOTH}, "grants.actions": "push"}}}""".Replace("BOTH", both, StringComparison.Ordinal)))
        {
            var found = (await ContentApiClient.ReadAsync(response, HttpStatusCode.OK)).AsArray();
            Assert.That(found.Select(u => u!["login"]!.GetValue<string>()), Is.EqualTo(new[] { pusher }));
        }

        var everyone = (await Api.GetJsonAsync("/users/search/")).AsArray().Select(u => u!["login"]!.GetValue<string>());
        Assert.That(everyone, Is.SupersetOf(new[] { "admin", pusher, puller }));
    }

    [Test]
    public async Task Search_ByAUserWhoIsNoAdministrator_IsRefused_AsTheListIs()
    {
        var login = await CreateUserAsync(("*", "pull,push,delete"));
        using var response = await ApiAs(login).PostJsonAsync("/users/search/", """{"criteria": {}}""");
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.Forbidden, "BRT0403");
    }

    [TestCase("""{"criteria": {"filters": {"password": "x"}}}""", "not a field here")]
    [TestCase("""{"criteria": {"filters": {"created": {"$gt": "yesterday"}}}}""", "not an ISO 8601 time")]
    [TestCase("""{"criteria": {"limit": 0}}""", "criteria.limit must be a positive integer")]
    [TestCase("""{"filters": {}}""", "request has unknown field filters")]
    public async Task Search_MalformedCriteria_Is400(string body, string reason)
    {
        using var response = await Api.PostJsonAsync("/users/search/", body);
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.BadRequest, "PLP0015", reason);
    }

    [Test]
    public async Task Login_AsPulp2AsksForACertificate_IsRefused_NamingTheCallersTokenPath()
    {
        var login = await CreateUserAsync(("*", "pull"));
        using (var refused = await ApiAs(login).Http.PostAsync($"{ContentApiClient.Root}/actions/login/", null))
        {
            await ContentApiClient.ReadErrorAsync(refused, HttpStatusCode.BadRequest, "PLP0015", "no login certificates", $"/pulp/api/v2/users/{login}/tokens/");
        }

        using var anonymous = await AnonymousClient().PostAsync($"{ContentApiClient.Root}/actions/login/", null);
        await ContentApiClient.ReadErrorAsync(anonymous, HttpStatusCode.Unauthorized, "BRT0401");
    }
}
