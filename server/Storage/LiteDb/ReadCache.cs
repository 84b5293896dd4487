using System.Collections.Concurrent;

namespace Berth.Server.Storage.LiteDb;

/// <summary>
/// Remembers lookups until the next metadata write. Every write through <see cref="LiteDbDatabase.WriteAsync{T}"/>
/// bumps the database's version after it commits, so an entry made at an older version is never served: the
/// cache is always exact, and it pays off where pulls outnumber pushes (manifest and blob lookups of the
/// registry). Values are shared between callers, who must not change them.
/// </summary>
internal sealed class ReadCache<TKey, TValue>(LiteDbDatabase database, int capacity)
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

        // Read before the lookup: a write that commits meanwhile leaves this entry at an outdated version.
        var version = database.Version;
        if (_entries.TryGetValue(key, out var entry) && entry.Version == version)
        {
            return entry.Value;
        }

        var value = read();
        if (keep is not null && !keep(value))
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
