using Berth.Server.Orphans;
using LiteDB;

namespace Berth.Server.Storage.LiteDb;

/// <summary>
/// Orphans are units with no document in <c>repo_content_units</c>; found by walking <c>units</c> in id order,
/// a slice at a time, so that a scan of any size holds one slice in memory and no cursor across writes.
/// </summary>
/// <remarks>
/// <para>LiteDB spends about a millisecond on every query, whatever it returns, so nothing here asks once per unit:
/// a slice is a range of ids, and its associations are one range query on the <c>unit_id</c> index.</para>
/// <para>A unit's orphan time is the later of its last import (<c>updated</c>) and its last removal from a repository
/// (<c>released</c>). Deleting a repository does not mark each of its units; it sets one mark, and every orphan
/// counts as orphaned no earlier than that: safe, at the cost of delaying other orphans by one grace period.</para>
/// </remarks>
public sealed class LiteDbOrphanStore(LiteDbDatabase database) : IOrphanStore
{
    public const string RepositoryDeletedMark = "repository_deleted";

    public bool IsBusy => database.WritersWaiting > 0;

    public Task<OrphanPage> PageAsync(string? typeId, string? after, int scan, CancellationToken cancellationToken)
    {
        var page = database.Read(db =>
        {
            var units = db.GetCollection(LiteDbDatabase.Units);
            var slice = units.Find(after is null ? LiteQuery.Greater("_id", BsonValue.MinValue) : LiteQuery.Greater("_id", after), skip: 0, limit: scan).ToList();
            if (slice.Count == 0)
            {
                return new OrphanPage([], null);
            }

            var associated = Associated(db, slice[0]["_id"].AsString, slice[^1]["_id"].AsString);
            var repositoryDeleted = RepositoryDeleted(db);
            var orphans = slice
                .Where(u => typeId is null || u["type_id"].AsString == typeId)
                .Where(u => !associated.Contains(u["_id"].AsString))
                .Select(u => ToOrphan(u, repositoryDeleted))
                .ToList();
            return new OrphanPage(orphans, slice.Count < scan ? null : slice[^1]["_id"].AsString);
        });
        return Task.FromResult(page);
    }

    public async Task<IReadOnlyList<Orphan>> DeleteAsync(IReadOnlyCollection<Orphan> orphans, DateTimeOffset orphanedBefore, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(orphans);
        if (orphans.Count == 0)
        {
            return [];
        }

        var ids = orphans.Select(o => o.Unit.Id!).ToHashSet(StringComparer.Ordinal);
        var (first, last) = (ids.Min(StringComparer.Ordinal)!, ids.Max(StringComparer.Ordinal)!);
        var deleted = await database.WriteAsync(db =>
        {
            // Looked at again inside the transaction: what was an orphan when listed may have been imported,
            // associated or re-imported since.
            var units = db.GetCollection(LiteDbDatabase.Units);
            var associated = Associated(db, first, last);
            var repositoryDeleted = RepositoryDeleted(db);
            var going = units.Find(LiteQuery.Between("_id", first, last))
                .Where(u => ids.Contains(u["_id"].AsString) && !associated.Contains(u["_id"].AsString))
                .Select(u => ToOrphan(u, repositoryDeleted))
                .Where(o => o.Since < orphanedBefore)
                .ToList();
            foreach (var orphan in going)
            {
                units.Delete(orphan.Unit.Id);
            }

            return going;
        });
        return deleted;
    }

    public Task<IReadOnlySet<string>> NamedDigestsAsync(string prefix, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var named = database.Read(db => db.GetCollection(LiteDbDatabase.Units)
            .Find(LiteQuery.Between("content_digest", prefix, prefix + char.MaxValue))
            .Select(u => u["content_digest"].AsString)
            .ToHashSet(StringComparer.Ordinal));
        return Task.FromResult<IReadOnlySet<string>>(named);
    }

    private static HashSet<string> Associated(LiteDatabase db, string firstUnitId, string lastUnitId) =>
        db.GetCollection(LiteDbDatabase.Associations)
            .Find(LiteQuery.Between("unit_id", firstUnitId, lastUnitId))
            .Select(a => a["unit_id"].AsString)
            .ToHashSet(StringComparer.Ordinal);

    private static DateTimeOffset RepositoryDeleted(LiteDatabase db) =>
        db.GetCollection(LiteDbDatabase.Marks).FindById(RepositoryDeletedMark) is { } mark ? BsonDates.FromBson(mark["at"]) : DateTimeOffset.MinValue;

    private static Orphan ToOrphan(BsonDocument document, DateTimeOffset repositoryDeleted)
    {
        var since = new[] { BsonDates.FromBson(document["updated"]), BsonDates.FromBsonOrNull(document["released"]) ?? DateTimeOffset.MinValue, repositoryDeleted }.Max();
        return new Orphan(LiteDbUnitStore.FromDocument(document), since);
    }
}
