using System.Net;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Access;

/// <summary>
/// A client that sends its password with every request (docker with Basic, the benchmarks), on many connections at
/// once, is not throttled by its own traffic: a password verified lately guesses nothing, so it is checked against the
/// throttle but not counted as a sign-in under way. Counted, 64 requests at once against a limit of one failed sign-in
/// a minute were refused with 429 whenever two of them overlapped. A wrong password still counts, and the right one
/// is refused with it once the limit is reached.
/// </summary>
[TestFixture(ServerKind.Process)]
public sealed class ParallelSignInTests(ServerKind kind) : AccessFixture(kind)
{
    protected override string? OneServerOnly => "a failed sign-in reaches the other servers a moment later, and these tests count on the very next request";

    protected override IReadOnlyDictionary<string, string>? Settings => new Dictionary<string, string>
    {
        ["Berth:Auth:MaxFailedSignInsPerMinute"] = "1",
    };

    private static string Repositories => $"{ContentApiClient.Root}/repositories/";

    [Test]
    public async Task APasswordVerifiedLately_SentOnManyConnectionsAtOnce_IsNeverThrottled_AWrongOneStillIs()
    {
        var login = await CreateUserAsync(("team/*", "pull"));
        using var client = ClientAs(login);
        Assert.That(await StatusAsync(client), Is.EqualTo(HttpStatusCode.OK));

        for (var round = 0; round < 40; round++)
        {
            var answers = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => StatusAsync(client)));
            Assert.That(answers, Is.All.EqualTo(HttpStatusCode.OK), $"round {round}");
        }

        using var guesser = ClientAs(login, "wrong-password");
        Assert.That(await StatusAsync(guesser), Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await StatusAsync(guesser), Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(await StatusAsync(client), Is.EqualTo(HttpStatusCode.TooManyRequests), "the right password, while the login is throttled");
    }

    [Test]
    public async Task APasswordNotVerifiedYet_SentOnManyConnectionsAtOnce_IsVerifiedOnce_AndNeverThrottled()
    {
        // As when a server has just started, or the first requests of a client reach a replica that has not seen it.
        var login = await CreateUserAsync(("team/*", "pull"));
        using var client = ClientAs(login);
        var answers = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => StatusAsync(client)));
        Assert.That(answers, Is.All.EqualTo(HttpStatusCode.OK), "requests sending one password at once share its verification");

        using var guesser = ClientAs(login, "wrong-password");
        var guesses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => StatusAsync(guesser)));
        Assert.That(guesses, Has.None.EqualTo(HttpStatusCode.OK));
        Assert.That(await StatusAsync(guesser), Is.EqualTo(HttpStatusCode.TooManyRequests), "a wrong password shared by requests still counts");
    }

    private static async Task<HttpStatusCode> StatusAsync(HttpClient client)
    {
        using var response = await client.GetAsync(Repositories);
        return response.StatusCode;
    }
}
