using System.Globalization;
using LiteDB;

namespace Berth.Server.Storage.LiteDb;

/// <summary>
/// The embedded metadata database. All writes go through <see cref="Write{T}"/>: one transaction at a time, so
/// that checks and writes that span collections (a repository and its associations) cannot interleave, and each
/// made durable before the request that caused it is answered.
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
    private long _version;
    private int _writersWaiting;

    public LiteDbDatabase(string path)
    {
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
        return read(_database);
    }

    public T Write<T>(Func<LiteDatabase, T> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        Interlocked.Increment(ref _writersWaiting);
        lock (_writeGate)
        {
            Interlocked.Decrement(ref _writersWaiting);
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
            }

            // LiteDB hands committed pages to a background writer and returns at once; a checkpoint waits for
            // that writer and flushes to disk, so that what we acknowledge survives a crash.
            _database.Checkpoint();
            return result;
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
