using System.Collections.Concurrent;
using System.Net;
using Berth.Server.Clients;

namespace Berth.Server.Access;

/// <summary>
/// Slows down password guessing without letting one client lock out others. Failed sign-ins are counted per login
/// and address: a login with too many failures from an address in the last minute is refused further attempts from
/// there (429), even with the right password, until enough of them are a minute old; other logins from the same
/// address (a CI runner, a NAT gateway) are not affected. A much higher ceiling per address, across logins, stops
/// one address from trying many logins (credential stuffing). An attempt counts from the moment it starts, not
/// from when its check fails: a burst of concurrent guesses cannot slip through together before the first of them
/// is known to fail. An IPv6 client is counted by its /64 network. Servers sharing a metadata store count each other's
/// failures too (<see cref="ISignInFailureFeed"/>); attempts under way stay each server's own.
/// </summary>
public sealed class LoginThrottle
{
    /// <summary>Past this many entries remembered, those without a failure in the window are forgotten (once a window).</summary>
    internal const int SweepAbove = 10_000;

    /// <summary>The most entries remembered: past it, a new login or address is not tracked (PBKDF2's cost still bounds it).</summary>
    internal const int MaxEntries = 100_000;

    // The longest login worth telling apart (valid logins are at most 64 characters): longer ones, which no user has,
    // share their entry with others of the same beginning, so that a client cannot fill memory with long names.
    private const int LoginKeyLength = 64;

    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly TimeProvider _clock;
    private readonly int _maxFailuresPerLogin;
    private readonly int _maxFailuresPerAddress;
    private readonly ISignInFailureFeed? _shared;
    private long _lastSweepTicks;

    public LoginThrottle(TimeProvider clock, int maxFailuresPerLogin, int maxFailuresPerAddress, ISignInFailureFeed? shared = null)
    {
        _clock = clock;
        _maxFailuresPerLogin = maxFailuresPerLogin;
        _maxFailuresPerAddress = maxFailuresPerAddress;
        _shared = shared;
        shared?.Hear(Heard);
    }

    /// <summary>How many logins and addresses are remembered now.</summary>
    internal int Count => _entries.Count;

    /// <summary>
    /// Refuses a sign-in that proves nothing new (a password verified lately, which no guess can match by chance) where
    /// an attempt would be refused, without counting it as one: a client that sends the password with every request,
    /// on many connections at once, is never refused for its own traffic, and a throttled login still cannot tell a
    /// right guess from a wrong one.
    /// </summary>
    /// <exception cref="AccessDeniedException">When the login has failed too often from this address lately, or the address across logins, or attempts under way fill what is left.</exception>
    public void Check(string login, IPAddress? address) => Admit(login, address, counted: false);

    /// <summary>Starts a sign-in attempt as a login from an address; dispose it when it succeeds, or call <see cref="Attempt.Fail"/>.</summary>
    /// <exception cref="AccessDeniedException">When the login has failed too often from this address lately, or the address across logins.</exception>
    public Attempt Begin(string login, IPAddress? address)
    {
        var (byAddress, byLogin) = Admit(login, address, counted: true);
        return new Attempt(this, byAddress, byLogin);
    }

    // The entries the attempt was counted in, when it was (null when they could not be tracked, or it is not counted).
    private (Entry? ByAddress, Entry? ByLogin) Admit(string login, IPAddress? address, bool counted)
    {
        ArgumentNullException.ThrowIfNull(login);
        if (_entries.Count >= SweepAbove)
        {
            SweepOncePerWindow();
        }

        var addressKey = ClientAddress.Key(address);
        var byAddress = Find(addressKey);
        var byLogin = Find($"{addressKey}\n{login[..Math.Min(login.Length, LoginKeyLength)]}");
        if (byAddress is null || byLogin is null)
        {
            return (null, null);
        }

        // Always the address first, then the login: two attempts never wait for each other's second lock.
        lock (byAddress)
        {
            lock (byLogin)
            {
                var now = _clock.GetUtcNow();
                var loginWait = byLogin.WaitBeforeNext(now, _maxFailuresPerLogin);
                var addressWait = byAddress.WaitBeforeNext(now, _maxFailuresPerAddress);
                if (loginWait is not null || addressWait is not null)
                {
                    var seconds = (long)Math.Ceiling(Math.Max(loginWait?.TotalSeconds ?? 0, addressWait?.TotalSeconds ?? 0));
                    throw AccessDeniedException.TooManyAttempts(
                        addressWait is not null
                            ? $"too many failed sign-ins from this address, across user names; try again in {seconds} s"
                            : $"too many failed sign-ins with this user name from this address; try again in {seconds} s",
                        TimeSpan.FromSeconds(seconds));
                }

                if (!counted)
                {
                    return (null, null);
                }

                byAddress.Pending++;
                byLogin.Pending++;
            }
        }

        return (byAddress, byLogin);
    }

    private Entry? Find(string key)
    {
        if (_entries.TryGetValue(key, out var entry))
        {
            return entry;
        }

        return _entries.Count >= MaxEntries ? null : _entries.GetOrAdd(key, k => new Entry(k));
    }

    private void SweepOncePerWindow()
    {
        var now = _clock.GetUtcNow();
        var last = Interlocked.Read(ref _lastSweepTicks);
        if (now.UtcTicks - last < Window.Ticks || Interlocked.CompareExchange(ref _lastSweepTicks, now.UtcTicks, last) != last)
        {
            return;
        }

        foreach (var (key, entry) in _entries)
        {
            bool idle;
            lock (entry)
            {
                entry.Expire(now);
                idle = entry.Failures.Count == 0 && entry.Pending == 0;
            }

            if (idle)
            {
                _entries.TryRemove(new KeyValuePair<string, Entry>(key, entry));
            }
        }
    }

    private void End(Entry byAddress, Entry byLogin, bool failed)
    {
        var now = _clock.GetUtcNow();
        foreach (var entry in (Entry[])[byAddress, byLogin])
        {
            lock (entry)
            {
                entry.Pending--;
                if (failed)
                {
                    entry.Failures.Enqueue(now);
                }
            }
        }

        if (failed)
        {
            _shared?.Tell(byLogin.Key);
        }
    }

    /// <summary>A failure another server told of, under the key of its login and address: it counts here as if made here.</summary>
    private void Heard(string loginKey)
    {
        if (_entries.Count >= SweepAbove)
        {
            SweepOncePerWindow();
        }

        var end = loginKey.IndexOf('\n', StringComparison.Ordinal);
        if (end < 0 || Find(loginKey[..end]) is not { } byAddress || Find(loginKey) is not { } byLogin)
        {
            return;
        }

        var now = _clock.GetUtcNow();
        foreach (var entry in (Entry[])[byAddress, byLogin])
        {
            lock (entry)
            {
                entry.Failures.Enqueue(now);
            }
        }
    }

    /// <summary>One sign-in attempt, counted against its login and address until it ends.</summary>
    public sealed class Attempt(LoginThrottle throttle, Entry? byAddress, Entry? byLogin) : IDisposable
    {
        private int _ended;

        /// <summary>Ends the attempt as a failure: it counts for the rest of the window.</summary>
        public void Fail() => End(failed: true);

        /// <summary>Ends the attempt as a success, unless it failed.</summary>
        public void Dispose() => End(failed: false);

        private void End(bool failed)
        {
            if (byAddress is not null && byLogin is not null && Interlocked.Exchange(ref _ended, 1) == 0)
            {
                throttle.End(byAddress, byLogin, failed);
            }
        }
    }

    /// <summary>A login's (or an address's) failures in the window and its attempts under way; used under its lock.</summary>
    public sealed class Entry(string key)
    {
        /// <summary>The address, or the address and login, it counts for.</summary>
        internal string Key { get; } = key;

        internal Queue<DateTimeOffset> Failures { get; } = new();

        internal int Pending { get; set; }

        /// <summary>Forgets the failures a window old: one made at <c>t</c> counts until <c>t + Window</c>, not at it.</summary>
        internal void Expire(DateTimeOffset now)
        {
            while (Failures.Count > 0 && Failures.Peek() <= now - Window)
            {
                Failures.Dequeue();
            }
        }

        /// <summary>How long until one more attempt is allowed; <see langword="null"/> when it is now.</summary>
        internal TimeSpan? WaitBeforeNext(DateTimeOffset now, int max)
        {
            Expire(now);
            if (Failures.Count + Pending < max)
            {
                return null;
            }

            // Failures alone fill the limit: the wait is until enough of them are a window old. Otherwise attempts
            // under way fill it, and they end within a moment (a PBKDF2), as failures or not.
            var over = Failures.Count - max + 1;
            return over > 0 ? Failures.ElementAt(over - 1) + Window - now : TimeSpan.FromSeconds(1);
        }
    }
}
