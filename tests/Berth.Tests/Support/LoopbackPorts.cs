using System.Net;
using System.Net.Sockets;

namespace Berth.Tests.Support;

/// <summary>Ports free on loopback now, for engines the tests start (PostgreSQL, Ceph, HAProxy, listeners).</summary>
public static class LoopbackPorts
{
    /// <summary>Distinct free ports: all held at once, so that the system cannot hand out the same port twice.</summary>
    public static int[] Take(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        try
        {
            listeners.ForEach(l => l.Start());
            return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            listeners.ForEach(l => l.Stop());
        }
    }

    public static int Take() => Take(1)[0];
}
