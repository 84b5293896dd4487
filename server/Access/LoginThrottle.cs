using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Berth.Server.Access;

/// <summary>
/// Slows down password guessing: an address with too many failed sign-ins in the last minute is refused further
/// attempts until the minute has passed (429), whichever API or user name it tries. An IPv6 client is counted by
/// its /64 network, which one host commonly holds whole: rotating addresses within it gains nothing.
/// </summary>
public sealed class LoginThrottle(TimeProvider clock, int maxFailuresPerMinute)
{
    /// <summary>Past this many addresses remembered, those without a failure in the window are forgotten.</summary>
    internal const int SweepAbove = 10_000;

    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, Queue<DateTimeOffset>> _failures = new();

    /// <summary>How many addresses are remembered now.</summary>
    internal int Count => _failures.Count;

    /// <exception cref="AccessDeniedException">When the address has failed too often lately.</exception>
    public void Check(IPAddress? address)
    {
        if (_failures.TryGetValue(Key(address), out var failures))
        {
            lock (failures)
            {
                Expire(failures);
                if (failures.Count >= maxFailuresPerMinute)
                {
                    throw new AccessDeniedException(AccessFailure.TooManyAttempts, "too many failed sign-ins from this address; wait a minute and try again");
                }
            }
        }
    }

    public void RecordFailure(IPAddress? address)
    {
        // Entries are kept only while they count: many addresses failing once each must not grow the table for good.
        if (_failures.Count >= SweepAbove)
        {
            Sweep();
        }

        var failures = _failures.GetOrAdd(Key(address), _ => new Queue<DateTimeOffset>());
        lock (failures)
        {
            Expire(failures);
            failures.Enqueue(clock.GetUtcNow());
        }
    }

    private static string Key(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        var network = address.GetAddressBytes();
        Array.Clear(network, 8, 8);
        return new IPAddress(network) + "/64";
    }

    private void Sweep()
    {
        foreach (var (key, failures) in _failures)
        {
            bool idle;
            lock (failures)
            {
                Expire(failures);
                idle = failures.Count == 0;
            }

            if (idle)
            {
                _failures.TryRemove(new KeyValuePair<string, Queue<DateTimeOffset>>(key, failures));
            }
        }
    }

    private void Expire(Queue<DateTimeOffset> failures)
    {
        var cutoff = clock.GetUtcNow() - Window;
        while (failures.Count > 0 && failures.Peek() < cutoff)
        {
            failures.Dequeue();
        }
    }
}
