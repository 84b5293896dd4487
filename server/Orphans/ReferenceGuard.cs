using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Berth.Server.Orphans;

/// <summary>
/// Keeps orphan collection from deleting what an import, a promotion or a mount is about to reference. Such work
/// holds the keys it will reference (unit keys, content digests) from before it checks that they exist until
/// its references are committed; the collector deletes only what it could condemn, which it can only while
/// nobody holds it, and while something is condemned new holders wait for the deletion to finish (and then find
/// it gone, and store it afresh). Holds are shared: any number of imports may hold the same digest.
/// </summary>
/// <remarks>
/// The table in this process answers for this server's work. When servers share the metadata store and the
/// content, <see cref="IGuardLocks"/> answers for the others': a key is held or condemned here first, then there,
/// and a key another server condemned makes a holder here wait (asking again, a little less often each time) until
/// that deletion is over. A hold never needs to outlive the request that took it: work cut short by a crash was
/// never acknowledged.
/// </remarks>
public sealed class ReferenceGuard(IGuardLocks? shared = null)
{
    // How long a holder refused by another server's condemnation waits before asking again, at first and at most.
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan LastRetry = TimeSpan.FromMilliseconds(200);

    private readonly IGuardLocks? _locks = shared;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>Whether other servers' work is guarded against too.</summary>
    public bool IsShared => _locks is not null;

    /// <summary>Holds the keys until the returned hold is disposed, waiting out any deletion under way.</summary>
    /// <exception cref="ReferenceGuardLostException">When other servers cannot be told of the hold.</exception>
    public async Task<Hold> HoldAsync(IEnumerable<string> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var wanted = keys.Distinct(StringComparer.Ordinal).ToList();
        var retry = FirstRetry;
        while (true)
        {
            await HoldHereAsync(wanted, cancellationToken);
            if (_locks is null || wanted.Count == 0)
            {
                return new Hold(this, wanted, null, 0);
            }

            var numbers = LockIds(wanted);
            long? generation;
            try
            {
                generation = await _locks.TryHoldAsync(numbers, cancellationToken);
            }
            catch
            {
                Unhold(wanted);
                throw;
            }

            if (generation is { } taken)
            {
                return new Hold(this, wanted, numbers, taken);
            }

            // Condemned by another server: its deletion is short, and says nothing when it ends.
            Unhold(wanted);
            await Task.Delay(retry, cancellationToken);
            retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, LastRetry.Ticks));
        }
    }

    /// <summary>
    /// Condemns all of the keys, or none when any is held (or already condemned), here or on another server: the
    /// caller may then delete what they name, confirming the condemnation first, and disposes it afterwards.
    /// </summary>
    /// <exception cref="ReferenceGuardLostException">When other servers cannot be asked.</exception>
    public async Task<Condemnation?> TryCondemnAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var wanted = keys.Distinct(StringComparer.Ordinal).ToList();
        if (!TryCondemnHere(wanted))
        {
            return null;
        }

        if (_locks is null || wanted.Count == 0)
        {
            return new Condemnation(this, wanted, null, 0);
        }

        var numbers = LockIds(wanted);
        long? generation;
        try
        {
            generation = await _locks.TryCondemnAsync(numbers, cancellationToken);
        }
        catch
        {
            ReleaseHere(wanted);
            throw;
        }

        if (generation is { } taken)
        {
            return new Condemnation(this, wanted, numbers, taken);
        }

        ReleaseHere(wanted);
        return null;
    }

    /// <summary>How many keys are held or condemned now; for tests that check nothing leaks.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>The number under which a key is held among servers: the first 64 bits of its SHA-256.</summary>
    /// <remarks>Two keys with one number only make each other wait or be left for the next collection; nothing is lost.</remarks>
    public static long LockId(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(key), hash);
        return BinaryPrimitives.ReadInt64BigEndian(hash);
    }

    private static long[] LockIds(List<string> keys) => [.. keys.Select(LockId)];

    private async Task HoldHereAsync(List<string> wanted, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task? deletion = null;
            lock (_gate)
            {
                foreach (var key in wanted)
                {
                    if (_entries.TryGetValue(key, out var entry) && entry.Condemned is { } condemned)
                    {
                        deletion = condemned.Task;
                        break;
                    }
                }

                if (deletion is null)
                {
                    foreach (var key in wanted)
                    {
                        if (!_entries.TryGetValue(key, out var entry))
                        {
                            entry = new Entry();
                            _entries[key] = entry;
                        }

                        entry.Holders++;
                    }

                    return;
                }
            }

            await deletion.WaitAsync(cancellationToken);
        }
    }

    private bool TryCondemnHere(List<string> keys)
    {
        lock (_gate)
        {
            if (keys.Any(k => _entries.ContainsKey(k)))
            {
                return false;
            }

            foreach (var key in keys)
            {
                _entries[key] = new Entry { Condemned = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
            }

            return true;
        }
    }

    private void ReleaseHere(IEnumerable<string> keys)
    {
        var released = new List<TaskCompletionSource>();
        lock (_gate)
        {
            foreach (var key in keys)
            {
                if (_entries.Remove(key, out var entry) && entry.Condemned is { } condemned)
                {
                    released.Add(condemned);
                }
            }
        }

        foreach (var condemned in released)
        {
            condemned.TrySetResult();
        }
    }

    private void Unhold(IEnumerable<string> keys)
    {
        lock (_gate)
        {
            foreach (var key in keys)
            {
                if (_entries.TryGetValue(key, out var entry) && --entry.Holders == 0)
                {
                    _entries.Remove(key);
                }
            }
        }
    }

    private async Task ConfirmAsync(long generation, CancellationToken cancellationToken)
    {
        if (_locks is not null)
        {
            await _locks.ConfirmAsync(generation, cancellationToken);
        }
    }

    private sealed class Entry
    {
        public int Holders { get; set; }

        public TaskCompletionSource? Condemned { get; init; }
    }

    /// <summary>
    /// What one piece of work took: keys held or condemned, here and, when servers share the guard, in a generation of
    /// <see cref="IGuardLocks"/>. Disposing lets them go.
    /// </summary>
    public abstract class Taken : IDisposable
    {
        private readonly ReferenceGuard _guard;
        private readonly long[]? _numbers;
        private readonly bool _condemned;
        private IReadOnlyList<string>? _keys;

        private protected Taken(ReferenceGuard guard, IReadOnlyList<string> keys, long[]? numbers, long generation, bool condemned)
        {
            _guard = guard;
            _keys = keys;
            _numbers = numbers;
            _condemned = condemned;
            Generation = generation;
        }

        /// <summary>The generation of the shared guard they live in (0 when only this server guards).</summary>
        public long Generation { get; }

        /// <summary>Confirms, before the work relies on them (commits, deletes), that other servers still see them.</summary>
        /// <exception cref="ReferenceGuardLostException">When they may not.</exception>
        public Task ConfirmAsync(CancellationToken cancellationToken) =>
            _numbers is null ? Task.CompletedTask : _guard.ConfirmAsync(Generation, cancellationToken);

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _keys, null) is { } keys)
            {
                if (_numbers is not null)
                {
                    _guard._locks!.Let(_numbers, _condemned, Generation);
                }

                if (_condemned)
                {
                    _guard.ReleaseHere(keys);
                }
                else
                {
                    _guard.Unhold(keys);
                }
            }

            GC.SuppressFinalize(this);
        }
    }

    /// <summary>Keys held by one piece of work; disposing lets collection have them again.</summary>
    public sealed class Hold : Taken
    {
        internal Hold(ReferenceGuard guard, IReadOnlyList<string> keys, long[]? numbers, long generation)
            : base(guard, keys, numbers, generation, condemned: false)
        {
        }
    }

    /// <summary>Keys condemned for one deletion; disposing ends the condemnation, letting those who wait for them go on.</summary>
    public sealed class Condemnation : Taken
    {
        internal Condemnation(ReferenceGuard guard, IReadOnlyList<string> keys, long[]? numbers, long generation)
            : base(guard, keys, numbers, generation, condemned: true)
        {
        }
    }

    /// <summary>The key under which a unit is held: its type and key, as stores name it.</summary>
    public static string UnitKey(string typeId, Berth.Plugins.UnitKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return "unit\n" + typeId + "\n" + key.Canonical;
    }

    /// <summary>
    /// The key under which a unit's place in a repository is held: by an import that found it there and relies on
    /// it (a manifest on its blobs, a tag on its manifest), against removal from the repository meanwhile.
    /// </summary>
    public static string MemberKey(string repositoryId, string typeId, Berth.Plugins.UnitKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return "member\n" + repositoryId + "\n" + typeId + "\n" + key.Canonical;
    }

    /// <summary>The key under which content is held: its digest.</summary>
    public static string ContentKey(string digest) => "content\n" + digest;
}
