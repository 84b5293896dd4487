using Berth.Server.Importers;
using Berth.Server.Repositories;
using Docker.Common.References;
using LiteDB;

namespace Berth.Server.Storage.LiteDb;

public sealed class LiteDbRepositoryStore(LiteDbDatabase database, TimeProvider clock) : IRepositoryStore
{
    // Every request names a repository: read from memory until repositories change (imports do not change them).
    private readonly ReadCache<string, Repository?> _byRegistryName = new(database, [LiteDbDatabase.Repositories], capacity: 10_000);
    private readonly ReadCache<RepositoryId, Repository?> _byId = new(database, [LiteDbDatabase.Repositories], capacity: 10_000);

    public async Task<RepositoryWriteOutcome> TryCreateAsync(Repository repository, IReadOnlyList<ImporterRegistration> importers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(importers);
        var outcome = await database.WriteAsync(db =>
        {
            var repositories = db.GetCollection(LiteDbDatabase.Repositories);
            if (repositories.FindById(repository.Id.Value) is not null)
            {
                return RepositoryWriteOutcome.IdTaken;
            }

            if (RegistryNameTaken(repositories, repository))
            {
                return RepositoryWriteOutcome.RegistryNameTaken;
            }

            // History left by an earlier repository of this id (one deleted before deletions took theirs along) is
            // not the new one's to show.
            db.GetCollection(LiteDbDatabase.TagHistory).DeleteMany(LiteDbTagHistoryStore.MovesIn(repository.Id));
            repositories.Insert(ToDocument(repository));
            db.GetCollection(LiteDbDatabase.Importers).InsertBulk(importers.Select(LiteDbImporterRegistrationStore.ToDocument));
            return RepositoryWriteOutcome.Written;
        });
        return outcome;
    }

    public async Task<RepositoryWriteOutcome> TryUpdateAsync(Repository repository, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        var outcome = await database.WriteAsync(db =>
        {
            var repositories = db.GetCollection(LiteDbDatabase.Repositories);
            var stored = repositories.FindById(repository.Id.Value);
            if (stored is null)
            {
                return RepositoryWriteOutcome.Missing;
            }

            if (RegistryNameTaken(repositories, repository))
            {
                return RepositoryWriteOutcome.RegistryNameTaken;
            }

            var updated = ToDocument(repository);
            updated["created"] = stored["created"];

            // Kept from before imports wrote it elsewhere (see LiteDbUnitStore.LastAddedAsync).
            updated["last_unit_added"] = stored["last_unit_added"];
            repositories.Update(updated);
            return RepositoryWriteOutcome.Written;
        });
        return outcome;
    }

    public Task<Repository?> FindByRegistryNameAsync(RegistryName name, CancellationToken cancellationToken)
    {
        var repository = _byRegistryName.GetOrRead(name.Value, () => database.Read(db =>
            db.GetCollection(LiteDbDatabase.Repositories).FindOne(LiteQuery.Equal("registry_name", name.Value)) is { } document ? FromDocument(document) : null));
        return Task.FromResult(repository);
    }

    public Task<Repository?> FindAsync(RepositoryId id, CancellationToken cancellationToken)
    {
        // Only repositories that exist are remembered: ids that clients make up leave nothing behind.
        var repository = _byId.GetOrRead(
            id,
            () => database.Read(db => db.GetCollection(LiteDbDatabase.Repositories).FindById(id.Value) is { } document ? FromDocument(document) : null),
            keep: found => found is not null);
        return Task.FromResult(repository);
    }

    public Task<IReadOnlyList<Repository>> ListAsync(CancellationToken cancellationToken)
    {
        var repositories = database.Read(db => db.GetCollection(LiteDbDatabase.Repositories).FindAll().Select(FromDocument).ToList());
        return Task.FromResult<IReadOnlyList<Repository>>(repositories);
    }

    public Task<IReadOnlyList<Repository>> ListAsync(RepositoryId? after, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);

        // The primary key's index, from where the page starts: the database compares ids ordinally (LiteDbDatabase).
        var repositories = database.Read(db =>
        {
            var query = db.GetCollection(LiteDbDatabase.Repositories).Query();
            if (after is { } start)
            {
                query = query.Where(LiteQuery.Greater("_id", start.Value));
            }

            return query.OrderBy("$._id").Limit(limit).ToEnumerable().Select(FromDocument).ToList();
        });
        return Task.FromResult<IReadOnlyList<Repository>>(repositories);
    }

    public async Task<bool> DeleteAsync(RepositoryId id, CancellationToken cancellationToken)
    {
        var deleted = await database.WriteAsync(db =>
        {
            if (!db.GetCollection(LiteDbDatabase.Repositories).Delete(id.Value))
            {
                return false;
            }

            db.GetCollection(LiteDbDatabase.Associations).DeleteMany(LiteDbUnitStore.AssociationsOf(id));

            // Marking each of a large repository's units as released would hold the write lock for seconds; one
            // mark instead starts every orphan's grace period afresh (see LiteDbOrphanStore).
            db.GetCollection(LiteDbDatabase.Marks).Upsert(new BsonDocument { ["_id"] = LiteDbOrphanStore.RepositoryDeletedMark, ["at"] = BsonDates.ToBson(clock.GetUtcNow()) });
            db.GetCollection(LiteDbDatabase.Importers).DeleteMany(LiteQuery.Equal("repo_id", id.Value));
            db.GetCollection(LiteDbDatabase.RetentionPolicies).Delete(id.Value);
            db.GetCollection(LiteDbDatabase.SyncSchedules).DeleteMany(LiteQuery.Equal("repo_id", id.Value));
            db.GetCollection(LiteDbDatabase.TagHistory).DeleteMany(LiteDbTagHistoryStore.MovesIn(id));
            db.GetCollection(LiteDbDatabase.RepositoryActivity).Delete(id.Value);
            return true;
        });
        return deleted;
    }

    private static BsonDocument ToDocument(Repository repository)
    {
        var notes = new BsonDocument();
        foreach (var (name, value) in repository.Notes)
        {
            notes[name] = value;
        }

        return new BsonDocument
        {
            ["_id"] = repository.Id.Value,
            ["display_name"] = repository.DisplayName,
            ["description"] = repository.Description is null ? BsonValue.Null : new BsonValue(repository.Description),
            ["notes"] = notes,
            ["created"] = BsonDates.ToBson(repository.Created),
            ["registry_name"] = repository.RegistryName is { } registryName ? new BsonValue(registryName.Value) : BsonValue.Null,
            ["anonymous_pull"] = repository.AnonymousPull,
        };
    }

    internal static Repository FromDocument(BsonDocument document) => new()
    {
        Id = RepositoryId.TryParse(document["_id"].AsString, out var id, out _) ? id : throw new InvalidDataException($"stored repository id '{document["_id"]}' is invalid"),
        DisplayName = document["display_name"].AsString,
        Description = document["description"].IsNull ? null : document["description"].AsString,
        Notes = document["notes"].AsDocument.ToDictionary(f => f.Key, f => f.Value.AsString),
        Created = BsonDates.FromBson(document["created"]),
        RegistryName = document["registry_name"].IsString && RegistryName.TryParse(document["registry_name"].AsString, out var name, out _) ? name : null,
        AnonymousPull = document["anonymous_pull"].IsBoolean && document["anonymous_pull"].AsBoolean,
    };

    // Null names repeat freely, which a unique index would refuse; the check runs inside the write gate instead.
    private static bool RegistryNameTaken(ILiteCollection<BsonDocument> repositories, Repository repository) =>
        repository.RegistryName is { } name &&
        repositories.FindOne(LiteQuery.Equal("registry_name", name.Value)) is { } holder &&
        holder["_id"].AsString != repository.Id.Value;
}
