using Berth.Tests.Api;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NUnit.Framework;

namespace Berth.Tests.Clients;

/// <summary>What the server configures Kestrel with, from <c>Berth:Clients</c>.</summary>
public sealed class KestrelLimitsTests() : ApiFixture
{
    protected override IReadOnlyDictionary<string, string>? Settings => new Dictionary<string, string> { ["Berth:Clients:MaxStreamsPerConnection"] = "5" };

    /// <summary>
    /// An HTTP/2 connection may run only so many requests at once, each of which may hold a file open: the connection
    /// cap counts them (Kestrel's own default, 100, would let one connection hold a hundred files).
    /// </summary>
    [Test]
    public void Http2Streams_AreLimitedAsConfigured()
    {
        var kestrel = Host.RequireServices().GetRequiredService<IOptions<KestrelServerOptions>>().Value;
        Assert.That(kestrel.Limits.Http2.MaxStreamsPerConnection, Is.EqualTo(5));
    }
}
