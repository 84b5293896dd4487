namespace Berth.Server.Configuration;

/// <summary>
/// What clients may hold (section <c>Berth:Clients</c>), applied to Kestrel: how many connections, in all and
/// from one address, and how long the server waits for slow clients. A client that trickles its headers or body,
/// or reads a response slower than these rates, is cut off so it cannot hold a connection, an upload session or a
/// thread for free.
/// </summary>
public sealed class ClientLimitOptions
{
    /// <summary>
    /// The most connections the server holds at once; more are closed as they arrive. Unset or 0: no cap of its
    /// own. Either way the server holds no more than its descriptor limit (RLIMIT_NOFILE) leaves room for, and
    /// says at start what the cap is.
    /// </summary>
    public long? MaxConnections { get; set; }

    /// <summary>
    /// The most connections one client address may hold at once (IPv6 addresses count by their /64 prefix, which
    /// one client usually holds whole); more are closed as they arrive. Unset or 0: no limit. Behind a load
    /// balancer or reverse proxy every client has the proxy's address: set it to 0 there (and limit clients at the
    /// proxy), or above what the proxy opens.
    /// </summary>
    public int? MaxConnectionsPerAddress { get; set; } = 256;

    /// <summary>
    /// Load balancers and reverse proxies (addresses, or networks such as <c>10.0.0.0/8</c>) whose
    /// <c>X-Forwarded-For</c> names the client: for requests they pass, the sign-in throttle, the audit log and events
    /// count and name the address the proxy appended, not the proxy's. None (the default): the header is ignored,
    /// since any client could send it.
    /// </summary>
    public List<string> TrustedProxies { get; set; } = [];

    /// <summary>
    /// The most requests one HTTP/2 connection (over TLS) may run at once. Each may hold a file open, so the
    /// connection cap counts this many descriptors per connection besides its socket; clients pull a few layers at
    /// a time.
    /// </summary>
    public int MaxStreamsPerConnection { get; set; } = 8;

    /// <summary>The slowest a request body may arrive, on average, once the grace period is over.</summary>
    public double MinRequestBodyBytesPerSecond { get; set; } = 240;

    /// <summary>The slowest a client may read a response, on average, once the grace period is over.</summary>
    public double MinResponseBytesPerSecond { get; set; } = 240;

    /// <summary>How long a transfer may run below those rates before the rates are enforced.</summary>
    public TimeSpan DataRateGracePeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a client may take to send a request's headers.</summary>
    public TimeSpan RequestHeadersTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
