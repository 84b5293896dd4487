namespace Berth.Server.Configuration;

/// <summary>
/// How long the server waits for slow clients (section <c>Berth:Clients</c>), applied to Kestrel's limits: a
/// client that trickles its headers or body, or reads a response slower than these rates, is cut off so it
/// cannot hold a connection, an upload session or a thread for free.
/// </summary>
public sealed class ClientLimitOptions
{
    /// <summary>The slowest a request body may arrive, on average, once the grace period is over.</summary>
    public double MinRequestBodyBytesPerSecond { get; set; } = 240;

    /// <summary>The slowest a client may read a response, on average, once the grace period is over.</summary>
    public double MinResponseBytesPerSecond { get; set; } = 240;

    /// <summary>How long a transfer may run below those rates before the rates are enforced.</summary>
    public TimeSpan DataRateGracePeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a client may take to send a request's headers.</summary>
    public TimeSpan RequestHeadersTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
