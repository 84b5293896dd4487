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
