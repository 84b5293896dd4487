using Berth.Plugins;
using Berth.Server.Criteria;
using Berth.Server.Repositories;
using Berth.Server.Units;
using LiteDB;

namespace Berth.Server.Storage.LiteDb;

/// <summary>
/// Units (collection <c>units</c>, unique by type and key) and their associations with repositories
/// (collection <c>repo_content_units</c>, one document per repository and unit). Both are written by imports, promotion
/// and removals through <see cref="LiteDbUnitOfWorkStore"/>.
/// </summary>
public sealed class LiteDbUnitStore(LiteDbDatabase database, TimeProvider clock) : IUnitStore
{
    internal const string ReferencesRecordedMark = "unit_references_recorded";

    private readonly ReadCache<string, IReadOnlyList<Unit>> _repositoryUnits = new(database, [LiteDbDatabase.Units, LiteDbDatabase.Associations], capacity: 50_000);

    public Task<Unit?> FindAsync(string typeId, UnitKey key, CancellationToken cancellationToken)
    {
        var document = database.Read(db => db.GetCollection(LiteDbDatabase.Units).FindOne(LiteQuery.Equal("natural_key", NaturalKey(typeId, key))));
        return Task.FromResult(document is null ? null : FromDocument(document));
    }

    public Task<IReadOnlyList<Unit>> FindInRepositoryAsync(
        RepositoryId repositoryId, string typeId, IReadOnlyCollection<UnitKey> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count == 0)
        {
            return Task.FromResult<IReadOnlyList<Unit>>([]);
        }

        var cacheKey = string.Join(LiteDbDatabase.Separator, keys.Select(k => NaturalKey(typeId, k)).Prepend(repositoryId.Value));
        var found = _repositoryUnits.GetOrRead(cacheKey, () => database.Read<IReadOnlyList<Unit>>(db =>
            [.. HeldBy(db, repositoryId, [.. keys.Select(k => new BsonValue(NaturalKey(typeId, k)))]).Select(FromDocument)]));
        return Task.FromResult(found);
    }

    public Task<UnitWithReferenced?> FindWithReferencedAsync(RepositoryId repositoryId, string typeId, UnitKey key, CancellationToken cancellationToken)
    {
        // Remembered beside the plain lookups: the unit first, then what it references. A unit that is not there is
        // not remembered (the key comes from a client).
        var naturalKey = NaturalKey(typeId, key);
        var found = _repositoryUnits.GetOrRead(
            string.Join(LiteDbDatabase.Separator, repositoryId.Value, "with-referenced", naturalKey),
            () => database.Read<IReadOnlyList<Unit>>(db =>
            {
                if (HeldBy(db, repositoryId, [naturalKey]) is not [var document])
                {
                    return [];
                }

                var unit = FromDocument(document);
                return unit.References.Count == 0
                    ? [unit]
                    : [unit, .. HeldBy(db, repositoryId, [.. unit.References.Select(r => new BsonValue(NaturalKey(r.TypeId, r.Key)))]).Select(FromDocument)];
            }),
            keep: found => found.Count > 0);
        return Task.FromResult(found.Count == 0 ? null : new UnitWithReferenced(found[0], [.. found.Skip(1)]));
    }

    public Task<IReadOnlyList<RepositoryUnit>> SearchAsync(RepositoryId repositoryId, UnitCriteria criteria, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(criteria);
        var results = database.Read<IReadOnlyList<RepositoryUnit>>(db =>
        {
            // The repository's associations come by their keys (of the types asked); the criteria's association part
            // is tested on them, and units are read only when the criteria tests or orders by them, a page's worth
            // otherwise.
            var associations = db.GetCollection(LiteDbDatabase.Associations);
            var matching = (criteria.TypeIds is null
                    ? associations.Find(AssociationsOf(repositoryId))
                    : criteria.TypeIds.SelectMany(type => associations.Find(LiteQuery.Equal("repo_type", RepositoryType(repositoryId, type)))))
                .Select(a => new SearchRow(
                    a["seq"].AsInt64,
                    new AssociationFields(repositoryId, a["unit_id"].AsString, a["type_id"].AsString, BsonDates.FromBson(a["created"]), BsonDates.FromBson(a["updated"]))))
                .Where(row => ConditionEvaluator.Holds(criteria.AssociationFilter, row.Association))
                .ToList();
            if (!criteria.ReadsUnits)
            {
                var page = Page(Ordered(matching, criteria), criteria);
                var documents = UnitDocuments(db, page);
                return [.. page.Where(row => documents.ContainsKey(row.UnitId)).Select(row => row.Member(documents[row.UnitId]))];
            }

            // Of each unit, only the fields the criteria names are made into what criteria read; the page's units alone
            // are made whole.
            var fields = criteria.UnitFieldNames;
            var found = new List<SearchRow>();
            foreach (var chunk in matching.Chunk(1000))
            {
                var documents = UnitDocuments(db, chunk);
                found.AddRange(chunk
                    .Where(row => documents.ContainsKey(row.UnitId))
                    .Select(row => row with { Stored = documents[row.UnitId], Document = BsonUnitFields.Of(documents[row.UnitId], fields) })
                    .Where(row => ConditionEvaluator.Holds(criteria.UnitFilter, row.Document!)));
            }

            return [.. Page(Ordered(found, criteria), criteria).Select(row => row.Member(row.Stored!))];
        });
        return Task.FromResult(results);
    }

    public Task<IReadOnlyList<StoredUnit>> SearchByTypeAsync(string typeId, SearchCriteria criteria, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(criteria);
        var found = database.Read<IReadOnlyList<StoredUnit>>(db =>
        {
            // The type's units are a range of the natural key's index; each is tested as a document.
            var rows = db.GetCollection(LiteDbDatabase.Units)
                .Find(LiteDbDatabase.StartingWith("natural_key", typeId + LiteDbDatabase.Separator))
                .ToList()
                .OrderBy(d => BsonDates.FromBson(d["created"]))
                .ThenBy(d => d["_id"].AsString, StringComparer.Ordinal)
                .Select(d =>
                {
                    var stored = new StoredUnit(FromDocument(d), LiteDbUnitUserMetadataStore.Of(d));
                    return (Stored: stored, Fields: new JsonFieldValues(UnitResponse.Document(stored.Unit, stored.UserMetadata)));
                });
            return [.. criteria.Page(rows, row => row.Fields).Select(row => row.Stored)];
        });
        return Task.FromResult(found);
    }

    public Task<StoredUnit?> FindByIdAsync(string typeId, string unitId, CancellationToken cancellationToken)
    {
        var document = database.Read(db => db.GetCollection(LiteDbDatabase.Units).FindById(unitId));
        return Task.FromResult(document is not null && document["type_id"].AsString == typeId
            ? new StoredUnit(FromDocument(document), LiteDbUnitUserMetadataStore.Of(document))
            : null);
    }

    public Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> RepositoriesOfAsync(IReadOnlyCollection<string> unitIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(unitIds);
        var held = unitIds.Count == 0
            ? []
            : database.Read(db => db.GetCollection(LiteDbDatabase.Associations)
                .Find(LiteQuery.In("unit_id", [.. unitIds.Select(id => new BsonValue(id))]))
                .Select(a => (UnitId: a["unit_id"].AsString, Association: a["_id"].AsString))
                .ToList());
        return Task.FromResult<IReadOnlyDictionary<string, IReadOnlyList<string>>>(held
            .GroupBy(a => a.UnitId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)[.. g.Select(a => a.Association[..a.Association.IndexOf(LiteDbDatabase.Separator, StringComparison.Ordinal)]).Order(StringComparer.Ordinal)], StringComparer.Ordinal));
    }

    private static IEnumerable<SearchRow> Ordered(List<SearchRow> rows, UnitCriteria criteria)
    {
        if (criteria.AssociationSort.Count == 0 && criteria.UnitSort.Count == 0)
        {
            return rows.OrderBy(row => row.Seq);
        }

        return rows.Order(Comparer<SearchRow>.Create((left, right) =>
        {
            var order = SearchCriteria.Compare(criteria.AssociationSort, left.Association, right.Association);
            if (order == 0 && criteria.UnitSort.Count > 0)
            {
                order = SearchCriteria.Compare(criteria.UnitSort, left.Document!, right.Document!);
            }

            return order != 0 ? order : left.Seq.CompareTo(right.Seq);
        }));
    }

    private static List<SearchRow> Page(IEnumerable<SearchRow> rows, UnitCriteria criteria) =>
        [.. rows.Skip(criteria.Skip).Take(criteria.Limit ?? int.MaxValue)];

    private static Dictionary<string, BsonDocument> UnitDocuments(LiteDatabase db, IReadOnlyCollection<SearchRow> rows) =>
        rows.Count == 0
            ? []
            : db.GetCollection(LiteDbDatabase.Units).Find(LiteQuery.In("_id", [.. rows.Select(row => new BsonValue(row.UnitId))])).ToDictionary(u => u["_id"].AsString);

    /// <summary>
    /// An association a search found, and once read, its unit as stored and the fields of the unit's document that the
    /// criteria names, as criteria see them.
    /// </summary>
    private sealed record SearchRow(long Seq, AssociationFields Association, BsonDocument? Stored = null, JsonFieldValues? Document = null)
    {
        public string UnitId => Association.UnitId;

        public RepositoryUnit Member(BsonDocument unit) => new(
            Association.RepositoryId, FromDocument(unit), Association.Created, Association.Updated, LiteDbUnitUserMetadataStore.Of(unit));
    }

    public Task<DateTimeOffset?> LastAddedAsync(RepositoryId repositoryId, CancellationToken cancellationToken) =>
        Task.FromResult(database.Read(db =>
            db.GetCollection(LiteDbDatabase.RepositoryActivity).FindById(repositoryId.Value) is { } activity
                ? BsonDates.FromBsonOrNull(activity["last_unit_added"])

                // Written on the repository itself before imports kept it apart (so that they leave repositories, and
                // what caches them, unchanged).
                : db.GetCollection(LiteDbDatabase.Repositories).FindById(repositoryId.Value) is { } repository
                    ? BsonDates.FromBsonOrNull(repository["last_unit_added"])
                    : null));

    public Task<IReadOnlyDictionary<string, long>> CountByTypeAsync(RepositoryId repositoryId, CancellationToken cancellationToken)
    {
        // Counted in the index of repository and type alone: a query that selects nothing but an index's key is answered
        // from the index's pages, the associations themselves unread (a third of the time for ten thousand, measured).
        var prefix = repositoryId.Value + LiteDbDatabase.Separator;
        var counts = database.Read(db => db.GetCollection(LiteDbDatabase.Associations)
            .Query()
            .Where(LiteQuery.Between("repo_type", prefix, prefix + '\uffff'))
            .Select("$.repo_type")
            .ToEnumerable()
            .GroupBy(a => a["repo_type"].AsString[prefix.Length..], StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.LongCount(), StringComparer.Ordinal));
        return Task.FromResult<IReadOnlyDictionary<string, long>>(counts);
    }

    public async Task<int> AddMissingReferencesAsync(Func<Unit, IReadOnlyList<UnitReference>?> referencesOf, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(referencesOf);

        // Once every unit has its references, later starts skip the scan: units saved since carry theirs.
        if (database.Read(db => db.GetCollection(LiteDbDatabase.Marks).FindById(ReferencesRecordedMark)) is not null)
        {
            return 0;
        }

        var added = await database.WriteAsync(db =>
        {
            var units = db.GetCollection(LiteDbDatabase.Units);
            var missing = units.FindAll().Where(u => !BsonUnitReferences.IsStored(u)).ToList();
            var count = 0;
            foreach (var document in missing)
            {
                if (referencesOf(FromDocument(document)) is { } references)
                {
                    document[BsonUnitReferences.Field] = BsonUnitReferences.ToBson(references);
                    units.Update(document);
                    count++;
                }
            }

            // A unit whose importer is not loaded now is asked again at the next start.
            if (count == missing.Count)
            {
                db.GetCollection(LiteDbDatabase.Marks).Upsert(new BsonDocument { ["_id"] = ReferencesRecordedMark, ["at"] = BsonDates.ToBson(clock.GetUtcNow()) });
            }

            return count;
        });
        return added;
    }

    /// <summary>
    /// Notes when units left a repository: an orphan's grace period runs from then (see the orphan collector).
    /// </summary>
    internal static void MarkReleased(LiteDatabase db, IEnumerable<string> unitIds, BsonValue now)
    {
        var units = db.GetCollection(LiteDbDatabase.Units);
        foreach (var unitId in unitIds)
        {
            if (units.FindById(unitId) is { } unit)
            {
                unit["released"] = now;
                units.Update(unit);
            }
        }
    }

    internal static Unit FromDocument(BsonDocument document) => new()
    {
        Id = document["_id"].AsString,
        TypeId = document["type_id"].AsString,
        Key = UnitKey.Of(document["key"].AsDocument.Select(f => KeyValuePair.Create(f.Key, f.Value.AsString))),
        Metadata = BsonJson.ToJsonObject(document["metadata"]),
        ContentDigest = document["content_digest"].IsNull ? null : document["content_digest"].AsString,
        References = BsonUnitReferences.FromBson(document[BsonUnitReferences.Field]),
    };

    // Those of the units with these natural keys that the repository holds. The units are read to their end before the
    // associations are asked: LiteDB ties a query to its thread, and a query opened while another's cursor is still
    // open on that thread fails under concurrent writes.
    private static List<BsonDocument> HeldBy(LiteDatabase db, RepositoryId repositoryId, BsonValue[] naturalKeys)
    {
        var query = naturalKeys.Length == 1 ? LiteQuery.Equal("natural_key", naturalKeys[0]) : LiteQuery.In("natural_key", naturalKeys);
        var candidates = db.GetCollection(LiteDbDatabase.Units).Find(query).ToList();
        var associations = db.GetCollection(LiteDbDatabase.Associations);
        return [.. candidates.Where(unit => associations.FindById(AssociationId(repositoryId, unit["_id"].AsString)) is not null)];
    }

    internal static string NaturalKey(string typeId, UnitKey key) => typeId + LiteDbDatabase.Separator + key.Canonical;

    internal static string AssociationId(RepositoryId repositoryId, string unitId) => repositoryId.Value + LiteDbDatabase.Separator + unitId;

    internal static string RepositoryType(RepositoryId repositoryId, string typeId) => repositoryId.Value + LiteDbDatabase.Separator + typeId;

    /// <summary>
    /// A repository's associations: their ids begin with the repository's id and the separator, so a range of the
    /// primary key finds them, and no index of their own costs pages at every import.
    /// </summary>
    internal static BsonExpression AssociationsOf(RepositoryId repositoryId) => LiteDbDatabase.StartingWith("_id", repositoryId.Value + LiteDbDatabase.Separator);
}
