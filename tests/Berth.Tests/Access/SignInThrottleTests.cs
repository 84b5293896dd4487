using System.Net;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Access;

/// <summary>Password guessing from one address is cut off, on both APIs and the token endpoint.</summary>
public sealed class SignInThrottleTests : AccessFixture
{
    protected override IReadOnlyDictionary<string, string>? Settings => new Dictionary<string, string> { ["Berth:Auth:MaxFailedSignInsPerMinute"] = "3" };

    [Test]
    public async Task AfterTooManyFailures_EvenTheRightPasswordIsRefusedForAWhile()
    {
        using var guesser = Host.CreateAnonymousClient().SignIn("admin", "guess");
        for (var attempt = 0; attempt < 3; attempt++)
        {
            using var wrong = await guesser.GetAsync($"{ContentApiClient.Root}/repositories/");
            Assert.That(wrong.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        }

        await ContentApiClient.ReadErrorAsync(await guesser.GetAsync($"{ContentApiClient.Root}/repositories/"), HttpStatusCode.TooManyRequests, "BRT0429");
        using var rightPassword = Host.CreateClient();
        await ContentApiClient.ReadErrorAsync(await rightPassword.GetAsync($"{ContentApiClient.Root}/repositories/"), HttpStatusCode.TooManyRequests, "BRT0429");
        await RegistryClient.ReadErrorAsync(await rightPassword.GetAsync("/token?service=berth&scope=repository:a:pull"), HttpStatusCode.TooManyRequests, "TOOMANYREQUESTS");

        using var status = await Host.CreateAnonymousClient().GetAsync($"{ContentApiClient.Root}/status/");
        Assert.That(status.StatusCode, Is.EqualTo(HttpStatusCode.OK), "what needs no credentials stays open");
    }
}
