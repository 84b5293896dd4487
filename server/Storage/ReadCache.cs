using System.Collections.Concurrent;

namespace Berth.Server.Storage;

/// <summary>
/// Remembers lookups in some tables until they change: an entry is served only while the version of its tables is the
/// one it was read at (see <see cref="IChangeVersions"/>), so it is never outdated by a change the store has seen. It
/// serves the lookups every request makes (repositories, importers, users, tokens) from memory. Values are shared
/// between callers, who must not change them.
/// </summary>
internal sealed class ReadCache<TKey, TValue>(IChangeVersions versions, IReadOnlyList<string> dependsOn, int capacity)
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, (long Version, TValue Value)> _entries = new();

    /// <summary>How many lookups are remembered.</summary>
    public int Count => _entries.Count;

    /// <param name="key">What was looked up.</param>
    /// <param name="read">The lookup itself.</param>
    /// <param name="keep">
    /// Whether to remember what was read (by default, everything). A cache keyed by what clients send should not
    /// remember misses: each refused request would otherwise leave an entry of the client's choosing.
    /// </param>
    public TValue GetOrRead(TKey key, Func<TValue> read, Func<TValue, bool>? keep = null)
    {
        ArgumentNullException.ThrowIfNull(read);
        var version = versions.VersionOf(dependsOn);
        return TryGet(key, version, out var found) ? found : Remember(key, version, read(), keep);
    }

    /// <inheritdoc cref="GetOrRead"/>
    public async Task<TValue> GetOrReadAsync(TKey key, Func<Task<TValue>> read, Func<TValue, bool>? keep = null)
    {
        ArgumentNullException.ThrowIfNull(read);
        var version = versions.VersionOf(dependsOn);
        return TryGet(key, version, out var found) ? found : Remember(key, version, await read(), keep);
    }

    // The version is taken before the lookup: a change committed meanwhile leaves the entry at an outdated version.
    private bool TryGet(TKey key, long version, out TValue value)
    {
        var hit = _entries.TryGetValue(key, out var entry) && entry.Version == version;
        value = entry.Value;
        return hit;
    }

    private TValue Remember(TKey key, long version, TValue value, Func<TValue, bool>? keep)
    {
        if (!versions.Remembers || (keep is not null && !keep(value)))
        {
            return value;
        }

        if (_entries.Count >= capacity)
        {
            _entries.Clear();
        }

        _entries[key] = (version, value);
        return value;
    }
}
