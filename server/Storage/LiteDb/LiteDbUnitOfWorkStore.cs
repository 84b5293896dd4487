using Berth.Plugins;
using Berth.Server.Errors;
using Berth.Server.Membership;
using Berth.Server.Repositories;
using LiteDB;

namespace Berth.Server.Storage.LiteDb;

/// <summary>Commits a unit of work in one LiteDB transaction (see <see cref="LiteDbDatabase.WriteAsync{T}(IReadOnlyList{string}, Func{LiteDB.LiteDatabase, T})"/>).</summary>
public sealed class LiteDbUnitOfWorkStore(LiteDbDatabase database, LiteDbEventStore outbox, TimeProvider clock) : IUnitOfWorkStore
{
    // Association order: timestamps of one import can fall in the same millisecond, a sequence cannot. Only this store
    // adds associations, under the write gate, so the counter needs no lock of its own.
    private long _lastSequence = -1;

    // What a commit writes: never repositories, importers or users, whose lookups stay in memory meanwhile.
    private static readonly string[] Changes =
        [LiteDbDatabase.Units, LiteDbDatabase.Associations, LiteDbDatabase.RepositoryActivity, LiteDbDatabase.TagHistory, LiteDbDatabase.Uploads, LiteDbDatabase.Events];

    public async Task<CommittedWork> CommitAsync(UnitOfWork work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        var (saves, associations, removals, moves, uploads, events) = (work.Saves, work.Associations, work.Removals, work.Moves, work.EndedUploads, work.Events);
        var now = BsonDates.ToBson(clock.GetUtcNow());
        var ids = await database.WriteAsync(Changes, db =>
        {
            var units = db.GetCollection(LiteDbDatabase.Units);
            var ids = new Dictionary<UnitIdentity, string>();
            foreach (var unit in saves)
            {
                ids[UnitIdentity.Of(unit)] = Upsert(units, unit, now);
            }

            var repositories = db.GetCollection(LiteDbDatabase.Repositories);
            var associated = db.GetCollection(LiteDbDatabase.Associations);
            foreach (var group in associations.GroupBy(a => a.Repository))
            {
                _ = repositories.FindById(group.Key.Value) ?? throw new NotFoundException("repository", group.Key.Value);
                foreach (var association in group)
                {
                    Associate(associated, group.Key, UnitId(units, association.Unit, ids), association.Unit.TypeId, now);
                }

                db.GetCollection(LiteDbDatabase.RepositoryActivity).Upsert(new BsonDocument { ["_id"] = group.Key.Value, ["last_unit_added"] = now });
            }

            var gone = removals.Where(r => associated.Delete(LiteDbUnitStore.AssociationId(r.Repository, r.UnitId))).Select(r => r.UnitId).ToList();
            LiteDbUnitStore.MarkReleased(db, gone, now);
            foreach (var move in moves)
            {
                LiteDbTagHistoryStore.Append(db, move);
            }

            foreach (var upload in uploads)
            {
                db.GetCollection(LiteDbDatabase.Uploads).Delete(upload.Value);
            }

            foreach (var imported in work.ImportedUploads)
            {
                db.GetCollection(LiteDbDatabase.EndedSessions).Upsert(new BsonDocument { ["_id"] = imported.Id.Value, ["opened"] = BsonDates.ToBson(imported.Created) });
            }

            if (events.Count > 0)
            {
                outbox.Append(db, events);
            }

            return ids;
        });
        return new CommittedWork(ids);
    }

    private static string Upsert(ILiteCollection<BsonDocument> units, Unit unit, BsonValue now)
    {
        var naturalKey = LiteDbUnitStore.NaturalKey(unit.TypeId, unit.Key);
        var document = units.FindOne(LiteQuery.Equal("natural_key", naturalKey)) ?? new BsonDocument
        {
            ["_id"] = unit.Id ?? Units.UnitIds.New(),
            ["type_id"] = unit.TypeId,
            ["natural_key"] = naturalKey,
            ["key"] = new BsonDocument(unit.Key.Fields.ToDictionary(f => f.Key, f => new BsonValue(f.Value))),
            ["created"] = now,
        };
        document["metadata"] = BsonJson.ToDocument(unit.Metadata);
        document[BsonUnitReferences.Field] = BsonUnitReferences.ToBson(unit.References);
        document["content_digest"] = unit.ContentDigest is null ? document["content_digest"] : new BsonValue(unit.ContentDigest);
        document["updated"] = now;
        units.Upsert(document);
        return document["_id"].AsString;
    }

    /// <summary>The stored id of a unit to associate: saved by this work, or stored before.</summary>
    private static string UnitId(ILiteCollection<BsonDocument> units, Unit unit, Dictionary<UnitIdentity, string> saved)
    {
        if (saved.TryGetValue(UnitIdentity.Of(unit), out var id))
        {
            return id;
        }

        // Orphan collection cannot take a unit that is about to be associated (see ReferenceGuard); should that promise
        // ever break, failing here beats an association to nothing.
        var document = unit.Id is { } known ? units.FindById(known) : null;
        document ??= units.FindOne(LiteQuery.Equal("natural_key", LiteDbUnitStore.NaturalKey(unit.TypeId, unit.Key)));
        return document?["_id"].AsString
            ?? throw new InvalidOperationException($"unit {unit.TypeId} {unit.Key} was deleted before its association");
    }

    private void Associate(ILiteCollection<BsonDocument> associations, RepositoryId repositoryId, string unitId, string typeId, BsonValue now)
    {
        var id = LiteDbUnitStore.AssociationId(repositoryId, unitId);
        if (associations.FindById(id) is { } association)
        {
            association["updated"] = now;
            associations.Update(association);
            return;
        }

        associations.Insert(new BsonDocument
        {
            ["_id"] = id,
            ["seq"] = NextSequence(associations),
            ["unit_id"] = unitId,
            ["type_id"] = typeId,
            ["repo_type"] = LiteDbUnitStore.RepositoryType(repositoryId, typeId),
            ["created"] = now,
            ["updated"] = now,
        });
    }

    private long NextSequence(ILiteCollection<BsonDocument> associations)
    {
        if (_lastSequence < 0)
        {
            _lastSequence = associations.Count() == 0 ? 0 : associations.Max("$.seq").AsInt64;
        }

        return ++_lastSequence;
    }
}
