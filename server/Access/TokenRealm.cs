using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Berth.Server.Access;

/// <summary>
/// The token endpoint's address when <c>Berth:Auth:Realm</c> is not set: taken from the addresses the server
/// listens on, never from the request, whose <c>Host</c> header a client or an attacker in front of a cache
/// chooses. A wildcard address (<c>0.0.0.0</c>, <c>[::]</c>) stands for this machine's host name, and says so in
/// the log: behind a proxy or a load balancer, set the realm.
/// </summary>
public sealed class TokenRealm(IServer server, ILogger<TokenRealm> logger)
{
    private readonly Lazy<string> _realm = new(() => Choose(server, logger));

    public string Default => _realm.Value;

    private static string Choose(IServer server, ILogger logger)
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var listening = addresses
            .Select(a => Uri.TryCreate(a.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var uri) ? uri : null)
            .OfType<Uri>()
            .OrderBy(u => u.Scheme == Uri.UriSchemeHttps ? 0 : 1)
            .FirstOrDefault();
        if (listening is null)
        {
            // A host without sockets (the in-process test server) answers to localhost.
            return "http://localhost" + TokenChallenge.TokenPath;
        }

        var host = listening.Host;
        if (IPAddress.TryParse(listening.Host.Trim('[', ']'), out var ip) && (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any)))
        {
            host = Dns.GetHostName();
            logger.LogWarning(
                "Berth:Auth:Realm is not set and the server listens on every address: registry clients are sent to {Host} for tokens. Set Berth:Auth:Realm to the URL clients reach /token at",
                host);
        }

        return new UriBuilder(listening.Scheme, host, listening.Port, TokenChallenge.TokenPath).Uri.ToString();
    }
}
