using System.Net;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Access;

/// <summary>
/// Password guessing at one login from one address is cut off, on both APIs and the token endpoint, with a
/// <c>Retry-After</c> that holds; other logins from the same address (a CI runner, a NAT gateway) go on signing in.
/// </summary>
[TestFixture(ServerKind.InProcess)]
[TestFixture(ServerKind.Process)]
public sealed class SignInThrottleTests(ServerKind kind) : AccessFixture(kind)
{
    protected override string? OneServerOnly => "a failed sign-in reaches the other servers a moment later, and these tests count on the very next request";

    private const int MaxFailures = 3;

    protected override IReadOnlyDictionary<string, string>? Settings => new Dictionary<string, string>
    {
        ["Berth:Auth:MaxFailedSignInsPerMinute"] = $"{MaxFailures}",
        [ServerClock.Manual.Key] = ServerClock.Manual.Value,
    };

    private static string Repositories => $"{ContentApiClient.Root}/repositories/";

    [Test]
    public async Task AfterTooManyFailures_EvenTheRightPasswordIsRefused_UntilRetryAfterHasPassed()
    {
        var login = await CreateUserAsync(("team/*", "pull"));
        await FailAsync(login);

        // The failures were made at one instant of the server's clock: a minute from it, a try is accepted.
        using var rightPassword = ClientAs(login);
        await RefusedAsync(rightPassword, expectedSeconds: 60);
        await Host.AdvanceClockAsync(TimeSpan.FromSeconds(45));
        await RefusedAsync(rightPassword, expectedSeconds: 15);
        await Host.AdvanceClockAsync(TimeSpan.FromSeconds(15));

        using var accepted = await rightPassword.GetAsync(Repositories);
        Assert.That(accepted.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the failures are a minute old");
        await TokenAsync(rightPassword, "repository:team/x:pull");

        using var status = await AnonymousClient().GetAsync($"{ContentApiClient.Root}/status/");
        Assert.That(status.StatusCode, Is.EqualTo(HttpStatusCode.OK), "what needs no credentials stays open");
    }

    [Test]
    public async Task OneLoginThrottled_DoesNotLockOutAnotherLoginFromTheSameAddress()
    {
        var (broken, colleague) = (await CreateUserAsync(("team/*", "pull")), await CreateUserAsync(("team/*", "pull")));
        await FailAsync(broken);
        using (var refused = ClientAs(broken))
        {
            await RefusedAsync(refused, expectedSeconds: 60);
        }

        using var other = ClientAs(colleague);
        using (var signedIn = await other.GetAsync(Repositories))
        {
            Assert.That(signedIn.StatusCode, Is.EqualTo(HttpStatusCode.OK), "another user from the same address");
        }

        await TokenAsync(other, "repository:team/x:pull");
        using var registry = await other.GetAsync("/v2/");
        Assert.That(registry.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    private async Task FailAsync(string login)
    {
        using var guesser = ClientAs(login, "wrong-password");
        for (var attempt = 0; attempt < MaxFailures; attempt++)
        {
            using var wrong = await guesser.GetAsync(Repositories);
            Assert.That(wrong.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        }
    }

    /// <summary>Checks that each API refuses the client with its own 429 and the <c>Retry-After</c> expected.</summary>
    private static async Task RefusedAsync(HttpClient client, int expectedSeconds)
    {
        using var content = await client.GetAsync(Repositories);
        await ContentApiClient.ReadErrorAsync(content, HttpStatusCode.TooManyRequests, "BRT0429", $"try again in {expectedSeconds} s");
        using var token = await client.GetAsync("/token?service=berth&scope=repository:team/x:pull");
        await RegistryClient.ReadErrorAsync(token, HttpStatusCode.TooManyRequests, "TOOMANYREQUESTS");
        using var registry = await client.GetAsync("/v2/");
        await RegistryClient.ReadErrorAsync(registry, HttpStatusCode.TooManyRequests, "TOOMANYREQUESTS");
        foreach (var response in new[] { content, token, registry })
        {
            Assert.That(response.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(expectedSeconds)), response.RequestMessage?.RequestUri?.ToString());
        }
    }
}
