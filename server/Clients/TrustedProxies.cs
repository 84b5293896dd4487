using System.Net;
using Berth.Server.Configuration;
using Microsoft.AspNetCore.HttpOverrides;

namespace Berth.Server.Clients;

/// <summary>
/// The client's address behind a balancer: taken from the <c>X-Forwarded-For</c> of configured proxies only
/// (<see cref="ClientLimitOptions.TrustedProxies"/>), the last address there (the one the proxy appended; what the
/// client wrote before it is the client's to forge).
/// </summary>
public static class TrustedProxies
{
    public static WebApplication UseTrustedProxies(this WebApplication app, ClientLimitOptions clients)
    {
        ArgumentNullException.ThrowIfNull(clients);
        if (clients.TrustedProxies.Count == 0)
        {
            return app;
        }

        var forwarded = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor, ForwardLimit = 1 };

        // The defaults trust loopback: on a machine with a local proxy, or in tests, any client could name itself.
        forwarded.KnownProxies.Clear();
        forwarded.KnownIPNetworks.Clear();
        foreach (var proxy in clients.TrustedProxies)
        {
            if (IPAddress.TryParse(proxy, out var address))
            {
                forwarded.KnownProxies.Add(address);
            }
            else
            {
                forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(proxy));
            }
        }

        app.UseForwardedHeaders(forwarded);
        return app;
    }
}
