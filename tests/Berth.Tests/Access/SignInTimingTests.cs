using System.Diagnostics;
using System.Net;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Access;

/// <summary>
/// A refused sign-in takes as long for a login that does not exist as for one that does (issue 18): the time of
/// an answer must not enumerate users. Measured as a ratio of medians, interleaved, so the machine's load cancels.
/// </summary>
public sealed class SignInTimingTests : AccessFixture
{
    protected override IReadOnlyDictionary<string, string>? Settings => new Dictionary<string, string> { ["Berth:Auth:MaxFailedSignInsPerMinute"] = "1000" };

    [Test]
    public async Task AWrongPassword_CostsAsMuchForAnUnknownLogin_AsForAKnownOne()
    {
        var known = await CreateUserAsync(("team/*", "pull"));
        var unknown = "nobody" + Guid.NewGuid().ToString("N")[..8];
        var times = new Dictionary<string, List<double>> { [known] = [], [unknown] = [] };
        for (var round = 0; round < 6; round++)
        {
            foreach (var login in new[] { known, unknown })
            {
                using var client = Host.CreateAnonymousClient().SignIn(login, "wrong-password-" + round);
                var clock = Stopwatch.StartNew();
                using var response = await client.GetAsync($"{ContentApiClient.Root}/repositories/");
                clock.Stop();
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));

                // The first round warms both paths up (the unknown login's reference hash is made once).
                if (round > 0)
                {
                    times[login].Add(clock.Elapsed.TotalMilliseconds);
                }
            }
        }

        var (knownMedian, unknownMedian) = (Median(times[known]), Median(times[unknown]));
        TestContext.Out.WriteLine($"median refusal: known login {knownMedian:F1} ms, unknown login {unknownMedian:F1} ms");
        Assert.That(unknownMedian, Is.GreaterThan(knownMedian * 0.5), "an unknown login is refused measurably faster than a known one");
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
