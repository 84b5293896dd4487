using System.Net;
using Microsoft.AspNetCore.Connections;

namespace Berth.Server.Clients;

/// <summary>
/// Caps the connections the server holds, in all and per client address, as Kestrel accepts them: one over a cap
/// is closed at once, before a byte of it is read (and before a TLS handshake). It runs on every endpoint,
/// whether its address came from <c>--urls</c> or from the <c>Kestrel</c> configuration section. Only addresses
/// with connections open have an entry. Refusals are logged at most once a minute, with how many there were.
/// </summary>
public sealed partial class ConnectionLimiter
{
    private static readonly TimeSpan WarningInterval = TimeSpan.FromMinutes(1);
    private readonly Lock _lock = new();
    private readonly Dictionary<IPAddress, int> _perAddress = [];
    private readonly TimeProvider _clock;
    private readonly ILogger<ConnectionLimiter> _logger;
    private long _open;
    private long _refused;
    private DateTimeOffset _lastWarning = DateTimeOffset.MinValue;

    public ConnectionLimiter(ConnectionLimits limits, TimeProvider clock, ILogger<ConnectionLimiter> logger)
    {
        ArgumentNullException.ThrowIfNull(limits);
        Limits = limits;
        _clock = clock;
        _logger = logger;
    }

    public ConnectionLimits Limits { get; }

    /// <summary>How many client addresses have connections open.</summary>
    internal int Addresses
    {
        get
        {
            lock (_lock)
            {
                return _perAddress.Count;
            }
        }
    }

    /// <summary>The connection middleware, for <c>ListenOptions.Use</c>.</summary>
    public ConnectionDelegate Limit(ConnectionDelegate next) => connection => OnConnectionAsync(connection, next);

    /// <summary>
    /// Takes a place for a connection from <paramref name="remote"/>, or says why there is none; a place taken must
    /// be given back with <see cref="Leave"/>.
    /// </summary>
    internal string? TryEnter(EndPoint? remote, out IPAddress? address)
    {
        address = ClientAddress.Of(remote);
        lock (_lock)
        {
            var fromAddress = address is null ? 0 : _perAddress.GetValueOrDefault(address);
            var refusal =
                Limits.Total is { } total && _open >= total ? $"{_open} connections are open, the most the server holds ({Limits.TotalSource})"
                : Limits.PerAddress is { } perAddress && fromAddress >= perAddress ? $"{address} holds {fromAddress} connections, the most one address may (Berth:Clients:MaxConnectionsPerAddress)"
                : null;
            if (refusal is not null)
            {
                _refused++;
                return refusal;
            }

            _open++;
            if (address is not null)
            {
                _perAddress[address] = fromAddress + 1;
            }

            return null;
        }
    }

    internal void Leave(IPAddress? address)
    {
        lock (_lock)
        {
            _open--;
            if (address is not null && _perAddress.TryGetValue(address, out var count))
            {
                if (count <= 1)
                {
                    _perAddress.Remove(address);
                }
                else
                {
                    _perAddress[address] = count - 1;
                }
            }
        }
    }

    private async Task OnConnectionAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        var refusal = TryEnter(connection.RemoteEndPoint, out var address);
        if (refusal is not null)
        {
            // Returning closes the connection: Kestrel disposes it once its delegate is done.
            WarnNowAndThen(refusal);
            return;
        }

        try
        {
            await next(connection);
        }
        finally
        {
            Leave(address);
        }
    }

    private void WarnNowAndThen(string refusal)
    {
        long refused;
        lock (_lock)
        {
            var now = _clock.GetUtcNow();
            if (now - _lastWarning < WarningInterval)
            {
                return;
            }

            _lastWarning = now;
            refused = _refused;
            _refused = 0;
        }

        LogRefused(refused, refusal);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused {Count} connections since the last warning; the latest because {Reason}")]
    private partial void LogRefused(long count, string reason);
}
