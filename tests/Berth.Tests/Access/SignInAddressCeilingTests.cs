using System.Net;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Access;

/// <summary>One address failing with many logins (credential stuffing) is refused for every login, past a ceiling of its own.</summary>
public sealed class SignInAddressCeilingTests() : AccessFixture(ServerKind.Process)
{
    protected override string? OneServerOnly => "a failed sign-in reaches the other servers a moment later, and these tests count on the very next request";

    protected override IReadOnlyDictionary<string, string>? Settings => new Dictionary<string, string>
    {
        ["Berth:Auth:MaxFailedSignInsPerMinute"] = "3",
        ["Berth:Auth:MaxFailedSignInsPerAddressPerMinute"] = "5",
    };

    [Test]
    public async Task ManyLoginsFailingFromOneAddress_AreRefused_AcrossLogins()
    {
        var user = await CreateUserAsync(("team/*", "pull"));
        foreach (var login in new[] { "stuffed-1", "stuffed-2", "stuffed-3", "stuffed-4", "stuffed-5" })
        {
            using var guesser = ClientAs(login, "wrong-password");
            using var wrong = await guesser.GetAsync($"{ContentApiClient.Root}/repositories/");
            Assert.That(wrong.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), login);
        }

        using var client = ClientAs(user);
        using var refused = await client.GetAsync($"{ContentApiClient.Root}/repositories/");
        await ContentApiClient.ReadErrorAsync(refused, HttpStatusCode.TooManyRequests, "BRT0429", "across user names");
        Assert.That(refused.Headers.RetryAfter?.Delta, Is.InRange(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60)));
    }
}
