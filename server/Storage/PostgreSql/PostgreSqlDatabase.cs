using System.Diagnostics;
using Berth.Server.Diagnostics;
using Npgsql;

namespace Berth.Server.Storage.PostgreSql;

/// <summary>
/// Metadata in a PostgreSQL database that any number of servers may share. Each write is one transaction at the
/// database's default isolation (read committed), made durable by its commit (the database's own WAL flush, which
/// concurrent commits share); what a write checks and then changes is kept true by constraints and row locks in the
/// database, never by a lock in this process, so that two servers writing at once stay as correct as one.
/// </summary>
public sealed class PostgreSqlDatabase : IMetadataDatabase, IAsyncDisposable, IDisposable
{
    // A write that lost a deadlock or a serialization check runs again from its start, this many times at most.
    private const int MaxAttempts = 5;

    private readonly NpgsqlDataSource _dataSource;
    private readonly NpgsqlDataSource _feedSource;
    private readonly ILogger _logger;
    private readonly PostgreSqlChangeFeed _changes;
    private int _disposed;

    public PostgreSqlDatabase(string connectionString, ILogger<PostgreSqlDatabase> logger)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        _logger = logger;
        _dataSource = new NpgsqlDataSourceBuilder(connectionString) { Name = "berth" }.Build();

        // The listening connection, named so that an operator looking at pg_stat_activity knows what it is.
        var feed = new NpgsqlDataSourceBuilder(connectionString) { Name = "berth change feed" };
        feed.ConnectionStringBuilder.ApplicationName = "berth change feed";
        _feedSource = feed.Build();
        _changes = new PostgreSqlChangeFeed(logger);

        // A check that hangs (a partition) ends in seconds and the server stops leading, before the database, which
        // drops the session after its own keepalives, lets another server take over.
        LeadershipSource = SessionSource(connectionString, "berth leadership", commandTimeout: 2);

        // The reference guard's locks live as long as its session too: a hold must not outlive it unnoticed.
        GuardSource = SessionSource(connectionString, "berth reference guard", commandTimeout: 5);
    }

    /// <summary>Connections for <see cref="PostgreSqlGuardLocks"/>'s session, one at a time, never pooled.</summary>
    public NpgsqlDataSource GuardSource { get; }

    /// <summary>Connections for <see cref="PostgreSqlLeadership"/>'s session, one at a time, never pooled.</summary>
    public NpgsqlDataSource LeadershipSource { get; }

    /// <summary>What this server and the others sharing the database changed, for caches of lookups.</summary>
    public PostgreSqlChangeFeed Changes => _changes;

    /// <summary>What the connection string names, without its password: for the log.</summary>
    public string Describe()
    {
        var builder = new NpgsqlConnectionStringBuilder(_dataSource.ConnectionString);
        return $"PostgreSQL database {builder.Database} on {builder.Host}:{builder.Port} as {builder.Username}";
    }

    public async Task OpenAsync(CancellationToken cancellationToken)
    {
        var applied = await PostgreSqlSchema.MigrateAsync(_dataSource, cancellationToken);
        foreach (var migration in applied)
        {
            _logger.LogInformation("Applied metadata schema migration {Version}: {Description}", migration.Version, migration.Description);
        }

        _changes.Start(_feedSource);
        _logger.LogInformation("Metadata in {Database}", Describe());
    }

    /// <summary>Any number of servers share the database.</summary>
    public bool IsShared => true;

    public bool IsConnected()
    {
        try
        {
            using var command = _dataSource.CreateCommand("SELECT 1");
            command.CommandTimeout = 5;
            return command.ExecuteScalar() is 1;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>Writers do not queue in the server: the database orders them.</summary>
    public int WritersWaiting => 0;

    /// <summary>Runs <paramref name="read"/> on a connection of its own, outside any transaction.</summary>
    public async Task<T> ReadAsync<T>(Func<NpgsqlConnection, Task<T>> read, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(read);
        ServerMetrics.StoreReads.Add(1);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await read(connection);
    }

    /// <summary>Notifies <paramref name="channel"/> at once, outside any transaction: for what is told, not stored.</summary>
    public async Task NotifyAsync(string channel, string payload, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var notify = new NpgsqlCommand("SELECT pg_notify(@channel, @payload)", connection);
        notify.Parameters.AddWithValue("channel", channel);
        notify.Parameters.AddWithValue("payload", payload);
        await notify.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="write"/> in a transaction and commits it; once this returns, the write is durable. A write
    /// that loses a deadlock or a serialization check to a concurrent one is rolled back and runs again, so it must
    /// change nothing but the database.
    /// </summary>
    public Task<T> WriteAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> write, CancellationToken cancellationToken) =>
        WriteAsync([], write, cancellationToken);

    /// <inheritdoc cref="WriteAsync{T}(Func{NpgsqlConnection, NpgsqlTransaction, Task{T}}, CancellationToken)"/>
    /// <param name="changes">
    /// What the write changes of what servers cache (see <see cref="PostgreSqlChangeFeed"/>): every server hears of it
    /// once it commits. Naming too few serves outdated lookups.
    /// </param>
    /// <param name="write">The write.</param>
    /// <param name="cancellationToken">Cancels the write before it commits.</param>
    public async Task<T> WriteAsync<T>(IReadOnlyList<string> changes, Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        ArgumentNullException.ThrowIfNull(write);
        for (var attempt = 1; ; attempt++)
        {
            var started = Stopwatch.GetTimestamp();
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            try
            {
                var result = await write(connection, transaction);
                if (changes.Count > 0)
                {
                    // Delivered by PostgreSQL when (and only if) the transaction commits.
                    await using var notify = new NpgsqlCommand("SELECT pg_notify(@channel, @changes)", connection, transaction);
                    notify.Parameters.AddWithValue("channel", PostgreSqlChangeFeed.Channel);
                    notify.Parameters.AddWithValue("changes", string.Join(',', changes));
                    await notify.ExecuteNonQueryAsync(cancellationToken);
                }

                await transaction.CommitAsync(cancellationToken);
                _changes.Changed(changes);
                ServerMetrics.StoreTransaction.RecordSince(started);
                ServerMetrics.StoreWrites.Add(1);
                return result;
            }
            catch (PostgresException e) when (attempt < MaxAttempts && e.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure)
            {
                _logger.LogDebug("A metadata write lost to a concurrent one ({SqlState}) and runs again (attempt {Attempt})", e.SqlState, attempt + 1);
            }
        }
    }

    // The container disposes it once as itself and once as IMetadataDatabase.
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _changes.DisposeAsync();
        await _feedSource.DisposeAsync();
        await LeadershipSource.DisposeAsync();
        await GuardSource.DisposeAsync();
        await _dataSource.DisposeAsync();
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>
    /// Connections for a session whose advisory locks live as long as it does: no pool to keep a closed connection's
    /// session (and locks) alive, and keepalives so that the database drops the session of a server whose machine
    /// vanished within seconds.
    /// </summary>
    private static NpgsqlDataSource SessionSource(string connectionString, string name, int commandTimeout)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString) { Name = name };
        builder.ConnectionStringBuilder.ApplicationName = name;
        builder.ConnectionStringBuilder.Pooling = false;
        builder.ConnectionStringBuilder.CommandTimeout = commandTimeout;
        builder.ConnectionStringBuilder.Timeout = 5;
        builder.ConnectionStringBuilder.KeepAlive = 2;
        builder.ConnectionStringBuilder.Options = $"{builder.ConnectionStringBuilder.Options} -c tcp_keepalives_idle=5 -c tcp_keepalives_interval=2 -c tcp_keepalives_count=2".Trim();
        return builder.Build();
    }
}
