using System.Collections.Concurrent;
using System.Net;
using Berth.Server.Clients;

namespace Berth.Server.Access;

/// <summary>
/// Slows down password guessing: an address with too many failed sign-ins in the last minute is refused further
/// attempts until the minute has passed (429), whichever API or user name it tries. An attempt counts from the
/// moment it starts, not from when its check fails: a burst of concurrent guesses cannot slip through together
/// before the first of them is known to fail. An IPv6 client is counted by its /64 network.
/// </summary>
public sealed class LoginThrottle(TimeProvider clock, int maxFailuresPerMinute)
{
    /// <summary>Past this many addresses remembered, those without a failure in the window are forgotten (once a window).</summary>
    internal const int SweepAbove = 10_000;

    /// <summary>The most addresses remembered: past it, a new address is not tracked (PBKDF2's cost still bounds it).</summary>
    internal const int MaxAddresses = 100_000;

    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, Entry> _entries = new();
    private long _lastSweepTicks;

    /// <summary>How many addresses are remembered now.</summary>
    internal int Count => _entries.Count;

    /// <summary>Starts a sign-in attempt from an address; dispose it when it succeeds, or call <see cref="Attempt.Fail"/>.</summary>
    /// <exception cref="AccessDeniedException">When the address has failed (or is trying) too often lately.</exception>
    public Attempt Begin(IPAddress? address)
    {
        if (_entries.Count >= SweepAbove)
        {
            SweepOncePerWindow();
        }

        var key = ClientAddress.Key(address);
        if (!_entries.TryGetValue(key, out var entry))
        {
            if (_entries.Count >= MaxAddresses)
            {
                return new Attempt(this, null);
            }

            entry = _entries.GetOrAdd(key, _ => new Entry());
        }

        lock (entry)
        {
            Expire(entry);
            if (entry.Failures.Count + entry.Pending >= maxFailuresPerMinute)
            {
                throw new AccessDeniedException(AccessFailure.TooManyAttempts, "too many failed sign-ins from this address; wait a minute and try again");
            }

            entry.Pending++;
        }

        return new Attempt(this, entry);
    }

    private void SweepOncePerWindow()
    {
        var now = clock.GetUtcNow().UtcTicks;
        var last = Interlocked.Read(ref _lastSweepTicks);
        if (now - last < Window.Ticks || Interlocked.CompareExchange(ref _lastSweepTicks, now, last) != last)
        {
            return;
        }

        foreach (var (key, entry) in _entries)
        {
            bool idle;
            lock (entry)
            {
                Expire(entry);
                idle = entry.Failures.Count == 0 && entry.Pending == 0;
            }

            if (idle)
            {
                _entries.TryRemove(new KeyValuePair<string, Entry>(key, entry));
            }
        }
    }

    private void Expire(Entry entry)
    {
        var cutoff = clock.GetUtcNow() - Window;
        while (entry.Failures.Count > 0 && entry.Failures.Peek() < cutoff)
        {
            entry.Failures.Dequeue();
        }
    }

    private void End(Entry entry, bool failed)
    {
        lock (entry)
        {
            entry.Pending--;
            if (failed)
            {
                entry.Failures.Enqueue(clock.GetUtcNow());
            }
        }
    }

    /// <summary>One sign-in attempt, counted against its address until it ends.</summary>
    public sealed class Attempt(LoginThrottle throttle, Entry? entry) : IDisposable
    {
        private int _ended;

        /// <summary>Ends the attempt as a failure: it counts for the rest of the window.</summary>
        public void Fail()
        {
            if (entry is not null && Interlocked.Exchange(ref _ended, 1) == 0)
            {
                throttle.End(entry, failed: true);
            }
        }

        /// <summary>Ends the attempt as a success, unless it failed.</summary>
        public void Dispose()
        {
            if (entry is not null && Interlocked.Exchange(ref _ended, 1) == 0)
            {
                throttle.End(entry, failed: false);
            }
        }
    }

    /// <summary>An address's failures in the window and its attempts under way.</summary>
    public sealed class Entry
    {
        internal Queue<DateTimeOffset> Failures { get; } = new();

        internal int Pending { get; set; }
    }
}
