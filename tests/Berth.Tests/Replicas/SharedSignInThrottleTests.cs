using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Replicas;

/// <summary>
/// Servers sharing a PostgreSQL database count each other's failed sign-ins: a guesser behind a balancer gets no more
/// tries than from one server, whichever server each guess reaches.
/// </summary>
[NonParallelizable]
public sealed class SharedSignInThrottleTests : FolderPerTest
{
    private const int MaxFailures = 4;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private static readonly string Repositories = $"{ContentApiClient.Root}/repositories/";

    [Test]
    public async Task FailuresSpreadOverTwoServers_ThrottleTheLoginOnBoth()
    {
        await using var storage = await TestStorage.CreateAsync(StorageBackend.PostgreSql);
        string[] Settings(string name) => ["--data-dir", Folder.Combine(name), $"--Berth:Auth:MaxFailedSignInsPerMinute={MaxFailures}", .. storage.Arguments];
        await using var first = await ServerProcess.StartAsync(Folder.Path, Settings("first"));
        await using var second = await ServerProcess.StartAsync(Folder.Path, Settings("second"));

        // Half the limit on each server: neither alone has seen enough to refuse.
        foreach (var server in new[] { first, second })
        {
            using var guesser = As(server, "wrong-password");
            for (var attempt = 0; attempt < MaxFailures / 2; attempt++)
            {
                using var wrong = await guesser.GetAsync(Repositories);
                Assert.That(wrong.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "a wrong password, under the limit");
            }
        }

        foreach (var server in new[] { first, second })
        {
            using var rightPassword = As(server, TestCredentials.AdminPassword);
            Assert.That(
                await Eventually.WaitAsync(async () => await StatusAsync(rightPassword) == HttpStatusCode.TooManyRequests, Bound),
                Is.True,
                $"the server on port {server.BaseAddress.Port} counts the other's failures: even the right password waits");
        }

        using var anonymous = first.CreateAnonymousClient();
        using var other = await anonymous.GetAsync(Repositories);
        Assert.That(other.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "a caller without credentials is not throttled, only asked for them");
    }

    private static HttpClient As(ServerProcess server, string password)
    {
        var client = server.CreateAnonymousClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"admin:{password}")));
        return client;
    }

    private static async Task<HttpStatusCode> StatusAsync(HttpClient client)
    {
        using var response = await client.GetAsync(Repositories);
        return response.StatusCode;
    }
}
