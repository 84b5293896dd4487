using Berth.Server.Importers;
using Berth.Server.Repositories;
using LiteDB;

namespace Berth.Server.Storage.LiteDb;

public sealed class LiteDbImporterRegistrationStore(LiteDbDatabase database) : IImporterRegistrationStore
{
    // Every import routes by them: read from memory until importers change.
    private readonly ReadCache<RepositoryId, IReadOnlyList<ImporterRegistration>> _byRepository = new(database, [LiteDbDatabase.Importers], capacity: 10_000);

    public Task<IReadOnlyList<ImporterRegistration>> ListAsync(RepositoryId repositoryId, CancellationToken cancellationToken) =>
        Task.FromResult(_byRepository.GetOrRead(repositoryId, () => database.Read(db => List(db, repositoryId))));

    public async Task<ImporterRegistrationOutcome> TryAddAsync(
        ImporterRegistration registration, Func<ImporterRegistration, bool> conflictsWith, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registration);
        ArgumentNullException.ThrowIfNull(conflictsWith);
        var outcome = await database.WriteAsync(db =>
        {
            if (db.GetCollection(LiteDbDatabase.Repositories).FindById(registration.RepositoryId.Value) is null)
            {
                return ImporterRegistrationOutcome.RepositoryMissing;
            }

            var existing = List(db, registration.RepositoryId);
            if (existing.Any(r => r.ImporterTypeId == registration.ImporterTypeId))
            {
                return ImporterRegistrationOutcome.AlreadyRegistered;
            }

            if (existing.Any(conflictsWith))
            {
                return ImporterRegistrationOutcome.TypesConflict;
            }

            db.GetCollection(LiteDbDatabase.Importers).Insert(ToDocument(registration));
            return ImporterRegistrationOutcome.Added;
        });
        return outcome;
    }

    /// <summary>A registration as stored; also written by a repository created with its importers.</summary>
    internal static BsonDocument ToDocument(ImporterRegistration registration) => new()
    {
        ["_id"] = Id(registration.RepositoryId, registration.ImporterTypeId),
        ["repo_id"] = registration.RepositoryId.Value,
        ["importer_type_id"] = registration.ImporterTypeId,
        ["config"] = BsonJson.ToDocument(registration.Config),
        ["registered"] = BsonDates.ToBson(registration.Registered),
    };

    public async Task<IReadOnlyList<ImporterRegistration>> ChangeConfigsAsync(
        RepositoryId repositoryId, Func<IReadOnlyList<ImporterRegistration>, IReadOnlyList<ImporterRegistration>> change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        return await database.WriteAsync(db =>
        {
            var changed = change(List(db, repositoryId));
            foreach (var registration in changed)
            {
                db.GetCollection(LiteDbDatabase.Importers).Update(ToDocument(registration));
            }

            return changed;
        });
    }

    public Task<bool> RemoveAsync(RepositoryId repositoryId, string importerTypeId, CancellationToken cancellationToken) =>
        database.WriteAsync(db => db.GetCollection(LiteDbDatabase.Importers).Delete(Id(repositoryId, importerTypeId)));

    private static List<ImporterRegistration> List(LiteDatabase db, RepositoryId repositoryId) =>
        [.. db.GetCollection(LiteDbDatabase.Importers)
            .Find(LiteQuery.Equal("repo_id", repositoryId.Value))
            .Select(d => FromDocument(repositoryId, d))
            .OrderBy(r => r.ImporterTypeId, StringComparer.Ordinal)];

    internal static ImporterRegistration FromDocument(RepositoryId repositoryId, BsonDocument document) => new()
    {
        RepositoryId = repositoryId,
        ImporterTypeId = document["importer_type_id"].AsString,
        Config = BsonJson.ToJsonObject(document["config"]),
        Registered = BsonDates.FromBson(document["registered"]),
    };

    private static string Id(RepositoryId repositoryId, string importerTypeId) =>
        $"{repositoryId.Value}{LiteDbDatabase.Separator}{importerTypeId}";
}
