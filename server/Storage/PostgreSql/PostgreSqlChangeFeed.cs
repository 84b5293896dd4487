using System.Collections.Concurrent;
using Npgsql;

namespace Berth.Server.Storage.PostgreSql;

/// <summary>
/// What other servers sharing the database changed, heard through PostgreSQL's LISTEN/NOTIFY: a write that changes
/// what servers cache (repositories, importers, users and tokens) notifies <see cref="Channel"/> in its transaction, so
/// every server hears of it once it commits, within milliseconds, and its <see cref="ReadCache{TKey, TValue}"/>s
/// stop serving what they remembered. While the feed is not listening (at start, or after its connection dropped,
/// when notifications may have been missed) nothing is served from memory: a revoked token never outlives a lost
/// connection.
/// </summary>
/// <remarks>
/// Imports do not notify: PostgreSQL takes one lock for every notifying commit, which would make pushes commit one at a
/// time; unit lookups are therefore not cached across servers, only the lookups every request makes.
/// </remarks>
public sealed class PostgreSqlChangeFeed : IChangeVersions, IAsyncDisposable
{
    public const string Channel = "berth_changes";

    /// <summary>Repositories (by id and registry name).</summary>
    public const string Repositories = "repositories";

    /// <summary>Importer registrations.</summary>
    public const string Importers = "importers";

    /// <summary>Users, their grants and their tokens.</summary>
    public const string Users = "users";

    /// <summary>Failed sign-ins (see <see cref="PostgreSqlSignInFailureFeed"/>), heard on the same connection.</summary>
    public const string SignInFailures = "berth_sign_in_failures";

    // How often a quiet listening connection is checked: a connection that died silently is noticed within this.
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, long> _versions = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly ILogger _logger;
    private Task? _loop;
    private long _everything;
    private volatile bool _listening;
    private int _disposed;

    // Marks what this server tells: every listener hears its own notifications too.
    private readonly string _tag = $"{Guid.NewGuid():N}\n";
    private Action<string>? _signInFailures;

    public PostgreSqlChangeFeed(ILogger logger) => _logger = logger;

    /// <summary>Whether notifications are being heard now: only then is what is read remembered.</summary>
    public bool Remembers => _listening;

    /// <summary>Sets what is called with each failed sign-in another server told.</summary>
    public void HearSignInFailures(Action<string> heard) => _signInFailures = heard;

    /// <summary>A payload for <see cref="SignInFailures"/> that this server will know as its own.</summary>
    public string Tagged(string payload) => _tag + payload;

    /// <summary>Starts listening, in the background, for as long as the feed lives.</summary>
    public void Start(NpgsqlDataSource dataSource) => _loop ??= Task.Run(() => ListenAsync(dataSource, _stopping.Token));

    /// <summary>
    /// The version of what <paramref name="tables"/> hold, as far as this server knows; a new one at every call while
    /// not listening, so that nothing read then is served again.
    /// </summary>
    public long VersionOf(IReadOnlyList<string> tables)
    {
        ArgumentNullException.ThrowIfNull(tables);
        if (!_listening)
        {
            return Interlocked.Increment(ref _everything);
        }

        var version = Interlocked.Read(ref _everything);
        foreach (var table in tables)
        {
            version += _versions.GetValueOrDefault(table);
        }

        return version;
    }

    /// <summary>Notes a change this server committed (other servers hear of it through the notification).</summary>
    public void Changed(IEnumerable<string> tables)
    {
        ArgumentNullException.ThrowIfNull(tables);
        foreach (var table in tables)
        {
            _versions.AddOrUpdate(table, 1, (_, version) => version + 1);
        }
    }

    private void Heard(string channel, string payload)
    {
        if (channel == Channel)
        {
            Changed(payload.Split(',', StringSplitOptions.RemoveEmptyEntries));
        }
        else if (channel == SignInFailures && !payload.StartsWith(_tag, StringComparison.Ordinal) && payload.IndexOf('\n', StringComparison.Ordinal) is var end and >= 0)
        {
            _signInFailures?.Invoke(payload[(end + 1)..]);
        }
    }

    private async Task ListenAsync(NpgsqlDataSource dataSource, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stopping);
                connection.Notification += (_, e) => Heard(e.Channel, e.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}; LISTEN {SignInFailures}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stopping);
                }

                // Whatever changed before this point may not have been heard: nothing remembered from then is served.
                Interlocked.Increment(ref _everything);
                _listening = true;
                while (!stopping.IsCancellationRequested)
                {
                    if (!await connection.WaitAsync(Heartbeat, stopping))
                    {
                        await using var ping = new NpgsqlCommand("SELECT 1", connection);
                        await ping.ExecuteScalarAsync(stopping);
                    }
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException or InvalidOperationException)
            {
                _listening = false;
                _logger.LogWarning("Lost the metadata database's change notifications ({Reason}); cached lookups are off until they are heard again", e.Message);
                try
                {
                    await Task.Delay(RetryAfter, stopping);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _listening = false;
        await _stopping.CancelAsync();
        if (_loop is not null)
        {
            await _loop;
        }

        _stopping.Dispose();
    }
}
