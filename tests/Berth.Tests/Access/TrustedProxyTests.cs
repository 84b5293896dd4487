using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Access;

/// <summary>
/// Behind a trusted proxy the sign-in throttle counts each client by the address the proxy put in
/// <c>X-Forwarded-For</c>, so one client's guesses do not lock out the others; from anyone not trusted the header is
/// ignored, so a guesser cannot name a new address for each guess.
/// </summary>
[NonParallelizable]
public sealed class TrustedProxyTests : FolderPerTest
{
    private const int MaxFailures = 3;
    private static readonly string Repositories = $"{ContentApiClient.Root}/repositories/";

    [Test]
    public async Task FromATrustedProxy_EachForwardedClientIsThrottledOnItsOwn()
    {
        await using var server = await StartAsync("--Berth:Clients:TrustedProxies:0=127.0.0.0/8");
        await FailAsync(server, "203.0.113.7");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await StatusAsync(server, TestCredentials.AdminPassword, "203.0.113.7"), Is.EqualTo(HttpStatusCode.TooManyRequests), "the guesser");
            Assert.That(await StatusAsync(server, TestCredentials.AdminPassword, "203.0.113.8"), Is.EqualTo(HttpStatusCode.OK), "another client behind the proxy");
            Assert.That(
                await StatusAsync(server, TestCredentials.AdminPassword, "203.0.113.8, 203.0.113.7"),
                Is.EqualTo(HttpStatusCode.TooManyRequests),
                "what the client wrote before the proxy's address is not believed");
        }
    }

    [Test]
    public async Task FromAnyoneElse_TheHeaderIsIgnored()
    {
        await using var server = await StartAsync();
        await FailAsync(server, "203.0.113.7");
        Assert.That(
            await StatusAsync(server, TestCredentials.AdminPassword, "203.0.113.8"),
            Is.EqualTo(HttpStatusCode.TooManyRequests),
            "a guesser cannot name a fresh address for each guess");
    }

    [Test]
    public async Task ATrustedProxyThatIsNeitherAnAddressNorANetwork_StopsTheServer_NamingIt()
    {
        var exit = await ServerProcess.RunToExitAsync(
            ServerProcess.StartInfo(Folder.Path, "--urls", "http://127.0.0.1:0", "--data-dir", Folder.Combine("data"), "--Berth:Clients:TrustedProxies:0=balancer.local"),
            TimeSpan.FromSeconds(60));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exit.Code, Is.Not.Zero, exit.Errors);
            Assert.That(exit.Errors, Does.Contain("Berth:Clients:TrustedProxies").And.Contain("'balancer.local'"));
        }
    }

    private Task<ServerProcess> StartAsync(params string[] settings) =>
        ServerProcess.StartAsync(Folder.Path, ["--data-dir", Folder.Combine("data"), $"--Berth:Auth:MaxFailedSignInsPerMinute={MaxFailures}", .. settings]);

    private static async Task FailAsync(ServerProcess server, string forwardedFor)
    {
        for (var attempt = 0; attempt < MaxFailures; attempt++)
        {
            Assert.That(await StatusAsync(server, "wrong-password", forwardedFor), Is.EqualTo(HttpStatusCode.Unauthorized));
        }
    }

    private static async Task<HttpStatusCode> StatusAsync(ServerProcess server, string password, string forwardedFor)
    {
        using var client = server.CreateAnonymousClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, Repositories);
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"admin:{password}")));
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }
}
