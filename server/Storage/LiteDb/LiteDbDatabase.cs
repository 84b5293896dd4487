using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Berth.Server.Diagnostics;
using LiteDB;

namespace Berth.Server.Storage.LiteDb;

/// <summary>
/// The embedded metadata database. All writes go through <see cref="WriteAsync{T}(IReadOnlyList{string}, Func{LiteDatabase, T})"/>: one writer, so that checks and
/// writes that span collections (a repository and its associations) cannot interleave, and each made durable before the
/// request that caused it is answered; concurrent writes share a transaction and the flush that makes it durable.
/// </summary>
public sealed class LiteDbDatabase : IMetadataDatabase, IChangeVersions, IDisposable
{
    public const string Repositories = "repositories";
    public const string Importers = "importers";
    public const string Units = "units";
    public const string Associations = "repo_content_units";
    public const string Uploads = "uploads";
    public const string EndedSessions = "ended_sessions";
    public const string Users = "users";
    public const string Tokens = "tokens";
    public const string TagHistory = "tag_history";
    public const string RetentionPolicies = "retention_policies";
    public const string Marks = "marks";
    public const string RepositoryActivity = "repository_activity";
    public const string Events = "events";
    public const string EventCursors = "event_cursors";
    public const string Tasks = "tasks";
    public const string SyncSchedules = "sync_schedules";
    public const string SignedOutSessions = "signed_out_sessions";

    // Joins the parts of compound ids; it cannot occur in repository ids, type ids or unit ids.
    public const char Separator = '\n';

    // Writes committed in one transaction at most: bounds what one failing write makes the others run again.
    private const int MaxBatch = 64;

    private readonly LiteDatabase _database;
    private readonly Lock _writeGate = new();
    private readonly GroupCommit _flusher;
    private readonly ConcurrentQueue<PendingWrite> _queue = new();
    // What committed writes changed: writes that name the collections they change count there, the others (rare:
    // administration) count as a change to everything. A cache of lookups in some collections is outdated only by them.
    private readonly ConcurrentDictionary<string, long> _changes = new(StringComparer.Ordinal);
    private long _everything;
    private int _writersWaiting;

    // 1 while a writer drains the queue.
    private int _writing;

    // LiteDB's write-ahead log, beside the data file.
    private readonly string _logPath;

    // Transactions committed so far: the generation a writer waits to see durable.
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
        _database.GetCollection(Associations).EnsureIndex("repo_type", "$.repo_type");
        _database.GetCollection(TagHistory).EnsureIndex("tag_key", "$.tag_key");
        _database.GetCollection(Associations).EnsureIndex("unit_id", "$.unit_id");
        _database.GetCollection(Units).EnsureIndex("content_digest", "$.content_digest");
        _database.GetCollection(Importers).EnsureIndex("repo_id", "$.repo_id");
        _database.GetCollection(Repositories).EnsureIndex("registry_name", "$.registry_name");
        _database.GetCollection(Tokens).EnsureIndex("login", "$.login");
        _database.GetCollection(Tasks).EnsureIndex("repo_id", "$.repo_id");
        _database.GetCollection(Tasks).EnsureIndex("created", "$.created");
        _database.GetCollection(Tasks).EnsureIndex("state", "$.state");
        _database.GetCollection(SyncSchedules).EnsureIndex("repo_id", "$.repo_id");

        // By-repository lookups of these are ranges of their keys now (an index fewer to write at every import); a
        // database made before keeps no index that nothing reads.
        _database.GetCollection(Associations).DropIndex("repo_id");
        _database.GetCollection(TagHistory).DropIndex("repo_id");
        _database.Checkpoint();
    }

    /// <summary>
    /// The documents whose string <paramref name="field"/> begins with <paramref name="prefix"/>, as a range of its
    /// index: the keys this is for end the prefix with a character the rest of them never holds below U+FFFF. (Not
    /// LIKE: a repository id may hold '_', which LIKE reads as a wildcard.)
    /// </summary>
    internal static BsonExpression StartingWith(string field, string prefix) => Query.Between(field, prefix, prefix + '\uffff');

    /// <summary>Writes go through this server alone: every change is seen, so whatever is read may be remembered.</summary>
    public bool Remembers => true;

    /// <summary>
    /// Grows after every committed write that changed any of <paramref name="tables"/> (collections here; or a write
    /// that did not say what it changed); see <see cref="ReadCache{TKey, TValue}"/>.
    /// </summary>
    public long VersionOf(IReadOnlyList<string> tables)
    {
        ArgumentNullException.ThrowIfNull(tables);
        var version = Interlocked.Read(ref _everything);
        foreach (var collection in tables)
        {
            version += _changes.GetValueOrDefault(collection);
        }

        return version;
    }

    /// <summary>How many writes wait for the one under way; long-running work (orphan collection) makes room for them.</summary>
    public int WritersWaiting => Volatile.Read(ref _writersWaiting);

    public T Read<T>(Func<LiteDatabase, T> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        ServerMetrics.StoreReads.Add(1);
        return read(_database);
    }

    /// <summary>
    /// Runs <paramref name="write"/> in a transaction and completes once the transaction is durable. One writer commits,
    /// and it commits the writes that queued while it was busy together, in one transaction (in the order they came, each
    /// seeing those before it, as if one after the other); when one of them throws, that transaction is rolled back and
    /// each write runs alone, so a write fails only by its own fault. Making commits durable is shared too (see
    /// <see cref="GroupCommit"/>). A write may therefore run more than once: it must change nothing but the database.
    /// </summary>
    public Task<T> WriteAsync<T>(Func<LiteDatabase, T> write) => WriteAsync(null, write);

    /// <inheritdoc cref="WriteAsync{T}(Func{LiteDatabase, T})"/>
    /// <param name="changes">
    /// The collections the write changes, so that caches of lookups in the others stay valid; <see langword="null"/>:
    /// it may change any. Naming too few serves outdated lookups: name every collection the write touches.
    /// </param>
    /// <param name="write">The write.</param>
    public async Task<T> WriteAsync<T>(IReadOnlyList<string>? changes, Func<LiteDatabase, T> write)
    {
        var (result, generation) = await Enqueue(changes, write);
        var committed = Stopwatch.GetTimestamp();
        await _flusher.DurableAsync(generation);
        ServerMetrics.StoreDurableWait.RecordSince(committed);
        return result;
    }

    /// <summary>
    /// Runs <paramref name="write"/> as <see cref="WriteAsync{T}(IReadOnlyList{string}, Func{LiteDatabase, T})"/> does, but completes once
    /// it is committed, without waiting for a flush: for what may be lost in a crash (a record that nothing was changed).
    /// It is made durable by the next flush that anyone waits for.
    /// </summary>
    public async Task<T> WriteWithoutWaitingForDiskAsync<T>(IReadOnlyList<string>? changes, Func<LiteDatabase, T> write) =>
        (await Enqueue(changes, write)).Result;

    /// <summary>
    /// Completes once every write committed so far is durable: what a reader saw may be acted on outside the server
    /// (an event sent) only then, since a crash before the flush would take back what it saw.
    /// </summary>
    public Task CommittedDurableAsync() => _flusher.DurableAsync(Interlocked.Read(ref _committed));

    private Task<(T Result, long Generation)> Enqueue<T>(IReadOnlyList<string>? changes, Func<LiteDatabase, T> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var pending = new PendingWrite<T>(changes, write);
        Interlocked.Increment(ref _writersWaiting);
        _queue.Enqueue(pending);
        StartWriter();
        return pending.Done;
    }

    private void StartWriter()
    {
        if (Interlocked.CompareExchange(ref _writing, 1, 0) == 0)
        {
            _ = Task.Run(WriteQueued);
        }
    }

    private void WriteQueued()
    {
        while (true)
        {
            var batch = new List<PendingWrite>();
            while (batch.Count < MaxBatch && _queue.TryDequeue(out var pending))
            {
                batch.Add(pending);
            }

            if (batch.Count == 0)
            {
                Volatile.Write(ref _writing, 0);

                // A write queued after the queue looked empty, but before the writer stood down, would wait for nobody.
                if (_queue.IsEmpty || Interlocked.CompareExchange(ref _writing, 1, 0) != 0)
                {
                    return;
                }

                continue;
            }

            Interlocked.Add(ref _writersWaiting, -batch.Count);
            lock (_writeGate)
            {
                batch.ForEach(p => ServerMetrics.StoreWriteWait.RecordSince(p.Queued));
                if (batch.Count == 1 || !TryCommitTogether(batch))
                {
                    batch.ForEach(CommitAlone);
                }
            }
        }
    }

    private bool TryCommitTogether(List<PendingWrite> batch)
    {
        var started = Stopwatch.GetTimestamp();
        _database.BeginTrans();
        try
        {
            batch.ForEach(p => p.Run(_database));
            _database.Commit();
        }
        catch (Exception)
        {
            // Each write runs again alone: the one at fault fails with its own error, the others commit.
            _database.Rollback();
            return false;
        }

        Committed(started, batch);
        return true;
    }

    private void CommitAlone(PendingWrite pending)
    {
        var started = Stopwatch.GetTimestamp();
        _database.BeginTrans();
        try
        {
            pending.Run(_database);
            _database.Commit();
        }
        catch (Exception e)
        {
            _database.Rollback();
            pending.Fail(e);
            return;
        }

        Committed(started, [pending]);
    }

    private void Committed(long started, List<PendingWrite> writes)
    {
        // Versions grow after the commit, never before: a reader that sees the new version must find the new data.
        foreach (var write in writes)
        {
            if (write.Changes is null)
            {
                Interlocked.Increment(ref _everything);
                continue;
            }

            foreach (var collection in write.Changes)
            {
                _changes.AddOrUpdate(collection, 1, (_, version) => version + 1);
            }
        }

        var generation = Interlocked.Increment(ref _committed);
        ServerMetrics.StoreTransaction.RecordSince(started);
        ServerMetrics.StoreWrites.Add(writes.Count);
        writes.ForEach(p => p.Complete(generation));
    }

    // Called by the flusher. LiteDB writes a transaction's pages to its log (berth-log.db) as it commits, straight to the
    // operating system, and copies them into the data file by itself once the log has grown (its checkpoint pragma), with
    // an fsync of the data file before it empties the log. So one fsync of the log makes every commit before it durable:
    // at the next start LiteDB replays the confirmed transactions it finds there. Measured (bench/push-rate.py), this beat
    // a checkpoint per flush, which wrote every page twice and emptied LiteDB's page cache each time.
    private long SyncLog()
    {
        // Read before the sync, and without the gate: a generation is given only once its commit has written its pages, so
        // every commit up to this one is in the log that is synced next. Writers commit meanwhile, for the next flush.
        var covered = Interlocked.Read(ref _committed);
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

    /// <summary>The file is this process's alone (it holds the data folder's lock).</summary>
    public bool IsShared => false;

    /// <summary>Opened when made: nothing more to do.</summary>
    public Task OpenAsync(CancellationToken cancellationToken) => Task.CompletedTask;

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
