using System.Diagnostics;
using System.Globalization;
using Berth.Server.Diagnostics;
using LiteDB;

namespace Berth.Server.Storage.LiteDb;

/// <summary>
/// The embedded metadata database. All writes go through <see cref="WriteAsync{T}"/>: one transaction at a time, so
/// that checks and writes that span collections (a repository and its associations) cannot interleave, and each
/// made durable before the request that caused it is answered; concurrent writers share the flush that makes them
/// durable (see <see cref="GroupCommit"/>).
/// </summary>
public sealed class LiteDbDatabase : IDisposable
{
    public const string Repositories = "repositories";
    public const string Importers = "importers";
    public const string Units = "units";
    public const string Associations = "repo_content_units";
    public const string Uploads = "uploads";
    public const string Users = "users";
    public const string Tokens = "tokens";
    public const string TagHistory = "tag_history";
    public const string RetentionPolicies = "retention_policies";
    public const string Marks = "marks";

    // Joins the parts of compound ids; it cannot occur in repository ids, type ids or unit ids.
    public const char Separator = '\n';

    private readonly LiteDatabase _database;
    private readonly Lock _writeGate = new();
    private readonly GroupCommit _flusher;
    private long _version;
    private int _writersWaiting;

    // LiteDB's write-ahead log, beside the data file.
    private readonly string _logPath;

    // Transactions committed so far, counted under the write gate: the generation a writer waits to see durable.
    private long _committed;

    // Whether the log's name in its folder has been made durable since the database opened (the first commit creates it).
    private bool _logNamed;

    /// <param name="path">The database file.</param>
    /// <param name="hold">TEST ONLY: holds flushes while a test asks (see <see cref="Testing.FlushHold"/>).</param>
    public LiteDbDatabase(string path, Testing.FlushHold? hold = null)
    {
        _logPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, Path.GetFileNameWithoutExtension(path) + "-log" + Path.GetExtension(path));
        _flusher = new GroupCommit(() =>
        {
            hold?.WaitWhileHeld();
            return NativeFiles.CanSyncByPath ? SyncLog() : Checkpoint();
        });
        _database = new LiteDatabase(new ConnectionString
        {
            Filename = path,
            Connection = ConnectionType.Direct,
            // Ordinal: tags "Latest" and "latest" are different tags, and ids are compared as they are written.
            Collation = new Collation(CultureInfo.InvariantCulture.LCID, CompareOptions.Ordinal),
        });
        _database.GetCollection(Units).EnsureIndex("natural_key", "$.natural_key", unique: true);
        _database.GetCollection(Associations).EnsureIndex("repo_id", "$.repo_id");
        _database.GetCollection(Associations).EnsureIndex("repo_type", "$.repo_type");
        _database.GetCollection(TagHistory).EnsureIndex("tag_key", "$.tag_key");
        _database.GetCollection(TagHistory).EnsureIndex("repo_id", "$.repo_id");
        _database.GetCollection(Associations).EnsureIndex("unit_id", "$.unit_id");
        _database.GetCollection(Units).EnsureIndex("content_digest", "$.content_digest");
        _database.GetCollection(Importers).EnsureIndex("repo_id", "$.repo_id");
        _database.GetCollection(Repositories).EnsureIndex("registry_name", "$.registry_name");
        _database.GetCollection(Tokens).EnsureIndex("login", "$.login");
        _database.Checkpoint();
    }

    /// <summary>Grows after every committed write; see <see cref="ReadCache{TKey, TValue}"/>.</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>How many writes wait for the one under way; long-running work (orphan collection) makes room for them.</summary>
    public int WritersWaiting => Volatile.Read(ref _writersWaiting);

    public T Read<T>(Func<LiteDatabase, T> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        ServerMetrics.StoreReads.Add(1);
        return read(_database);
    }

    /// <summary>
    /// Runs <paramref name="write"/> in a transaction of its own and completes once the transaction is durable. Writes
    /// commit one at a time; making them durable is shared (group commit): a checkpoint waits for LiteDB's log writer
    /// and flushes, and one checkpoint covers every transaction committed before it started, so writers that commit
    /// while one runs share the next instead of each paying for its own.
    /// </summary>
    public async Task<T> WriteAsync<T>(Func<LiteDatabase, T> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var (result, generation) = Commit(write);
        var committed = Stopwatch.GetTimestamp();
        await _flusher.DurableAsync(generation);
        ServerMetrics.StoreDurableWait.RecordSince(committed);
        return result;
    }

    private (T Result, long Generation) Commit<T>(Func<LiteDatabase, T> write)
    {
        Interlocked.Increment(ref _writersWaiting);
        var waiting = Stopwatch.GetTimestamp();
        lock (_writeGate)
        {
            Interlocked.Decrement(ref _writersWaiting);
            ServerMetrics.StoreWriteWait.RecordSince(waiting);
            var started = Stopwatch.GetTimestamp();
            _database.BeginTrans();
            T result;
            try
            {
                result = write(_database);
                _database.Commit();
            }
            catch
            {
                _database.Rollback();
                throw;
            }
            finally
            {
                // After the commit (or rollback), never before: a reader that sees the new version must find
                // the new data.
                Interlocked.Increment(ref _version);
                ServerMetrics.StoreTransaction.RecordSince(started);
            }

            return (result, ++_committed);
        }
    }

    // Called by the flusher. LiteDB writes a transaction's pages to its log (berth-log.db) as it commits, straight to the
    // operating system, and copies them into the data file by itself once the log has grown (its checkpoint pragma), with
    // an fsync of the data file before it empties the log. So one fsync of the log makes every commit before it durable:
    // at the next start LiteDB replays the confirmed transactions it finds there. Measured (bench/push-rate.py), this beat
    // a checkpoint per flush, which wrote every page twice and emptied LiteDB's page cache each time.
    private long SyncLog()
    {
        long covered;
        lock (_writeGate)
        {
            covered = _committed;
        }

        // Outside the gate: writers commit while the log is synced, and wait for the next flush.
        var started = Stopwatch.GetTimestamp();
        if (File.Exists(_logPath))
        {
            NativeFiles.SyncFile(_logPath);
        }

        if (!_logNamed)
        {
            NativeFiles.SyncDirectory(Path.GetDirectoryName(_logPath)!);
            _logNamed = true;
        }

        ServerMetrics.StoreFlush.RecordSince(started);
        return covered;
    }

    // Where a file cannot be synced by its path: a checkpoint copies the log into the data file and flushes that.
    private long Checkpoint()
    {
        lock (_writeGate)
        {
            var covered = _committed;
            var started = Stopwatch.GetTimestamp();
            _database.Checkpoint();
            ServerMetrics.StoreFlush.RecordSince(started);
            return covered;
        }
    }

    /// <summary>Whether the database answers a read.</summary>
    public bool IsConnected()
    {
        try
        {
            _ = _database.GetCollection(Repositories).Count();
            return true;
        }
        catch (LiteException)
        {
            return false;
        }
    }

    public void Dispose() => _database.Dispose();
}
