using System.Net;
using Berth.Server.Clients;
using Berth.Server.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using NUnit.Framework;

namespace Berth.Tests.Clients;

public sealed class ConnectionLimiterTests
{
    private static readonly ClientLimitOptions OneStream = new() { MaxStreamsPerConnection = 1 };

    [Test]
    public void Limits_KeepTheTotalBelowWhatTheDescriptorLimitAllows()
    {
        var defaults = new ClientLimitOptions();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ConnectionLimits.From(defaults, 20_000).Total, Is.EqualTo((20_000 - 1024) / 9), "a socket and 8 HTTP/2 streams' files each");
            Assert.That(ConnectionLimits.From(OneStream, 20_000).Total, Is.EqualTo((20_000 - 1024) / 2));
            Assert.That(ConnectionLimits.From(OneStream, 4096).Total, Is.EqualTo(1536), "half of a smaller limit is kept for the server");
            Assert.That(ConnectionLimits.From(OneStream, 1024).Total, Is.EqualTo(256), "but never less than 512 descriptors");
            Assert.That(ConnectionLimits.From(defaults, null).Total, Is.Null);
            Assert.That(ConnectionLimits.From(new ClientLimitOptions { MaxConnections = 500 }, 20_000).Total, Is.EqualTo(500));
            Assert.That(ConnectionLimits.From(new ClientLimitOptions { MaxConnections = 50_000, MaxStreamsPerConnection = 1 }, 20_000).Total, Is.EqualTo(9488));
            Assert.That(ConnectionLimits.From(new ClientLimitOptions { MaxConnections = 50_000 }, 20_000).TotalSource, Does.Contain("RLIMIT_NOFILE"));
            Assert.That(ConnectionLimits.From(new ClientLimitOptions { MaxConnections = 0 }, null).Total, Is.Null);
            Assert.That(ConnectionLimits.From(defaults, null).PerAddress, Is.EqualTo(256));
            Assert.That(ConnectionLimits.From(new ClientLimitOptions { MaxConnectionsPerAddress = 0 }, null).PerAddress, Is.Null);
            Assert.That(ConnectionLimits.From(new ClientLimitOptions { MaxConnectionsPerAddress = null }, null).PerAddress, Is.Null);
        }
    }

    [Test]
    public void Limiter_CountsPerAddressAndInAll_AndForgetsAddressesThatLeft()
    {
        var limiter = new ConnectionLimiter(new ConnectionLimits(3, 2, "test"), TimeProvider.System, NullLogger<ConnectionLimiter>.Instance);
        var first = new IPEndPoint(IPAddress.Parse("10.0.0.1"), 40000);
        var second = new IPEndPoint(IPAddress.Parse("10.0.0.2"), 40001);
        var entered = new List<IPAddress?>();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Enter(first), Is.Null);
            Assert.That(Enter(new IPEndPoint(IPAddress.Parse("::ffff:10.0.0.1"), 40002)), Is.Null, "an IPv4 client on an IPv6 socket is the same client");
            Assert.That(Enter(first), Does.Contain("10.0.0.1 holds 2").And.Contain("MaxConnectionsPerAddress"));
            Assert.That(Enter(second), Is.Null);
            Assert.That(Enter(new IPEndPoint(IPAddress.Parse("10.0.0.3"), 40003)), Does.Contain("3 connections are open"));
            Assert.That(limiter.Addresses, Is.EqualTo(2));
        }

        foreach (var address in entered)
        {
            limiter.Leave(address);
        }

        Assert.That(limiter.Addresses, Is.Zero);
        Assert.That(Enter(first), Is.Null);

        string? Enter(EndPoint remote)
        {
            var refusal = limiter.TryEnter(remote, out var address);
            if (refusal is null)
            {
                entered.Add(address);
            }

            return refusal;
        }
    }

    [Test]
    public void AnIPv6Client_IsCountedByItsSlash64()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(
                ClientAddress.Of(new IPEndPoint(IPAddress.Parse("2001:db8:1:2:aaaa::1"), 1)),
                Is.EqualTo(ClientAddress.Of(new IPEndPoint(IPAddress.Parse("2001:db8:1:2:bbbb::9"), 2))));
            Assert.That(
                ClientAddress.Of(new IPEndPoint(IPAddress.Parse("2001:db8:1:2::1"), 1)),
                Is.Not.EqualTo(ClientAddress.Of(new IPEndPoint(IPAddress.Parse("2001:db8:1:3::1"), 1))));
            Assert.That(ClientAddress.Of(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 1)), Is.EqualTo(IPAddress.Parse("127.0.0.2")));
            Assert.That(ClientAddress.Of(new System.Net.Sockets.UnixDomainSocketEndPoint(Path.Combine(Path.GetTempPath(), "berth.sock"))), Is.Null);
        }
    }
}
