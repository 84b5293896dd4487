using Berth.Server.Orphans;
using LiteDB;

namespace Berth.Server.Storage.LiteDb;

/// <summary>
/// Orphans are units with no document in <c>repo_content_units</c>; found by walking <c>units</c> in id order,
/// a slice at a time, so that a scan of any size holds one slice in memory and no cursor across writes.
/// </summary>
public sealed class LiteDbOrphanStore(LiteDbDatabase database) : IOrphanStore
{
    public Task<OrphanPage> PageAsync(string? typeId, string? after, int scan, CancellationToken cancellationToken)
    {
        var page = database.Read(db =>
        {
            var units = db.GetCollection(LiteDbDatabase.Units);
            var associations = db.GetCollection(LiteDbDatabase.Associations);
            var slice = units.Find(after is null ? Query.GT("_id", BsonValue.MinValue) : Query.GT("_id", after), skip: 0, limit: scan).ToList();
            var orphans = slice
                .Where(u => typeId is null || u["type_id"].AsString == typeId)
                .Where(u => !associations.Exists(Query.EQ("unit_id", u["_id"])))
                .Select(ToOrphan)
                .ToList();
            return new OrphanPage(orphans, slice.Count < scan ? null : slice[^1]["_id"].AsString);
        });
        return Task.FromResult(page);
    }

    public Task<OrphanDeletion> DeleteAsync(IReadOnlyCollection<Orphan> orphans, DateTimeOffset orphanedBefore, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(orphans);
        var deletion = database.Write(db =>
        {
            var units = db.GetCollection(LiteDbDatabase.Units);
            var associations = db.GetCollection(LiteDbDatabase.Associations);
            var deleted = new List<Orphan>();
            foreach (var orphan in orphans)
            {
                // Looked at again inside the transaction: what was an orphan when listed may have been imported,
                // associated or re-imported since.
                var document = units.FindById(orphan.Unit.Id);
                if (document is null || associations.Exists(Query.EQ("unit_id", document["_id"])))
                {
                    continue;
                }

                var current = ToOrphan(document);
                if (current.Since >= orphanedBefore)
                {
                    continue;
                }

                units.Delete(document["_id"]);
                deleted.Add(current);
            }

            var unreferenced = deleted
                .Select(o => o.Unit.ContentDigest)
                .OfType<string>()
                .Distinct(StringComparer.Ordinal)
                .Where(digest => !units.Exists(Query.EQ("content_digest", digest)))
                .ToList();
            return new OrphanDeletion(deleted, unreferenced);
        });
        return Task.FromResult(deletion);
    }

    public Task<bool> IsReferencedAsync(string digest, CancellationToken cancellationToken) =>
        Task.FromResult(database.Read(db => db.GetCollection(LiteDbDatabase.Units).Exists(Query.EQ("content_digest", digest))));

    private static Orphan ToOrphan(BsonDocument document)
    {
        var updated = BsonDates.FromBson(document["updated"]);
        var released = document["released"].IsNull ? updated : BsonDates.FromBson(document["released"]);
        return new Orphan(LiteDbUnitStore.FromDocument(document), released > updated ? released : updated);
    }
}
