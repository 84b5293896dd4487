using System.Collections.Concurrent;

namespace Berth.Server.Storage.LiteDb;

/// <summary>
/// Remembers lookups in some collections until the next write that changes them. Every write through
/// <see cref="LiteDbDatabase.WriteAsync{T}(IReadOnlyList{string}, Func{LiteDB.LiteDatabase, T})"/> bumps the versions of what it changed after it commits, so an entry made at
/// an older version is never served: the cache is always exact. It serves the lookups every request makes (repositories,
/// importers, users, tokens) from memory while pushes write units, and the registry's manifest and blob lookups while
/// nothing is pushed. Values are shared between callers, who must not change them.
/// </summary>
internal sealed class ReadCache<TKey, TValue>(LiteDbDatabase database, IReadOnlyList<string> dependsOn, int capacity)
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
        var version = database.VersionOf(dependsOn);
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
