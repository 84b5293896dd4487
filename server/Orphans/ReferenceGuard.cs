namespace Berth.Server.Orphans;

/// <summary>
/// Keeps orphan collection from deleting what an import, a promotion or a mount is about to reference. Such work
/// holds the keys it will reference (unit keys, content digests) from before it checks that they exist until
/// its references are committed; the collector deletes only what it could condemn, which it can only while
/// nobody holds it, and while something is condemned new holders wait for the deletion to finish (and then find
/// it gone, and store it afresh). Holds are shared: any number of imports may hold the same digest.
/// </summary>
/// <remarks>
/// An in-process table is enough because one server owns its data folder (see <c>DataLayout</c>'s lock), and
/// a hold never needs to outlive the request that took it: work cut short by a crash was never acknowledged.
/// </remarks>
public sealed class ReferenceGuard
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>Holds the keys until the returned hold is disposed, waiting out any deletion under way.</summary>
    public async Task<Hold> HoldAsync(IEnumerable<string> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var wanted = keys.Distinct(StringComparer.Ordinal).ToList();
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

                    return new Hold(this, wanted);
                }
            }

            await deletion.WaitAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Condemns all of the keys, or none when any is held (or already condemned): the caller may then delete
    /// what they name, and must <see cref="Release"/> them afterwards.
    /// </summary>
    public bool TryCondemn(IReadOnlyCollection<string> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
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

    /// <summary>Ends the condemnation of keys, letting those who wait for them go on.</summary>
    public void Release(IEnumerable<string> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
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

    private sealed class Entry
    {
        public int Holders { get; set; }

        public TaskCompletionSource? Condemned { get; init; }
    }

    /// <summary>Keys held by one piece of work; disposing lets collection have them again.</summary>
    public sealed class Hold : IDisposable
    {
        private readonly ReferenceGuard _guard;
        private IReadOnlyList<string>? _keys;

        internal Hold(ReferenceGuard guard, IReadOnlyList<string> keys)
        {
            _guard = guard;
            _keys = keys;
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _keys, null) is { } keys)
            {
                _guard.Unhold(keys);
            }
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
