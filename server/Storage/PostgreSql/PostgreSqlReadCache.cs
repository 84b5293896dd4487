using System.Collections.Concurrent;

namespace Berth.Server.Storage.PostgreSql;

/// <summary>
/// Remembers lookups in some tables until this server or another changes them (see <see cref="PostgreSqlChangeFeed"/>):
/// an entry is served only while the version of its tables is the one it was read at. Values are shared between
/// callers, who must not change them.
/// </summary>
internal sealed class PostgreSqlReadCache<TKey, TValue>(PostgreSqlChangeFeed changes, IReadOnlyList<string> dependsOn, int capacity)
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, (long Version, TValue Value)> _entries = new();

    /// <param name="key">What was looked up.</param>
    /// <param name="read">The lookup itself.</param>
    /// <param name="keep">Whether to remember what was read; misses of keys that clients choose are not.</param>
    public async Task<TValue> GetOrReadAsync(TKey key, Func<Task<TValue>> read, Func<TValue, bool>? keep = null)
    {
        ArgumentNullException.ThrowIfNull(read);

        // Taken before the lookup: a change committed meanwhile leaves this entry at an outdated version.
        var version = changes.VersionOf(dependsOn);
        if (_entries.TryGetValue(key, out var entry) && entry.Version == version)
        {
            return entry.Value;
        }

        var value = await read();
        if (!changes.IsListening || (keep is not null && !keep(value)))
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
