using Berth.Server.Configuration;

namespace Berth.Server.Clients;

/// <summary>
/// The connection caps in force: <c>Berth:Clients:MaxConnections</c> and <c>Berth:Clients:MaxConnectionsPerAddress</c>,
/// with the total held below what the process's descriptor limit leaves room for. A process that runs out of
/// descriptors fails in every way at once (it cannot open its database, an upload, a socket or a pipe for a thread),
/// so connections must give out first: each may need its socket and a file for each request it runs at once (one on
/// HTTP/1.1, up to <c>Berth:Clients:MaxStreamsPerConnection</c> on HTTP/2), and the server keeps a reserve (see
/// <see cref="MinReserve"/>).
/// </summary>
public sealed record ConnectionLimits(long? Total, int? PerAddress, string TotalSource)
{

    /// <summary>
    /// Descriptors kept for the server's own files and for connections on their way in: about 250 are open once it
    /// has started, and a flood of connections keeps a few hundred more accepted for the moment it takes to refuse them.
    /// </summary>
    public const long MinReserve = 512;

    /// <summary>The most descriptors kept back, however high the limit.</summary>
    public const long MaxReserve = 1024;

    public static ConnectionLimits From(ClientLimitOptions options, long? descriptorLimit)
    {
        ArgumentNullException.ThrowIfNull(options);
        var configured = options.MaxConnections is > 0 and var max ? max : (long?)null;
        var perAddress = options.MaxConnectionsPerAddress is > 0 and var per ? per : (int?)null;
        var affordable = descriptorLimit is { } limit ? AffordableConnections(limit, DescriptorsPerConnection(options)) : (long?)null;
        if (affordable < (configured ?? long.MaxValue))
        {
            var lowered = configured is null ? string.Empty : $", lower than Berth:Clients:MaxConnections {configured}";
            return new ConnectionLimits(affordable, perAddress, $"what the descriptor limit leaves room for: RLIMIT_NOFILE is {descriptorLimit}{lowered}");
        }

        return new ConnectionLimits(configured, perAddress, "Berth:Clients:MaxConnections");
    }

    /// <summary>Descriptors one connection may need: its socket, and a blob or upload file for each request it runs at once.</summary>
    public static long DescriptorsPerConnection(ClientLimitOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return 1 + Math.Max(1, options.MaxStreamsPerConnection);
    }

    /// <summary>The connections a descriptor limit leaves room for, after the server's reserve (half the limit, from 512 to 1024).</summary>
    public static long AffordableConnections(long descriptorLimit, long descriptorsPerConnection) =>
        Math.Max(1, (descriptorLimit - Math.Clamp(descriptorLimit / 2, MinReserve, MaxReserve)) / descriptorsPerConnection);

    public override string ToString() =>
        $"Connections: at most {Total?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unlimited"} at once" +
        (Total is null ? string.Empty : $" ({TotalSource})") +
        $", {PerAddress?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unlimited"} per client address (Berth:Clients:MaxConnectionsPerAddress)";
}
