using Berth.Server.Importers;
using Berth.Server.Repositories;
using Npgsql;

namespace Berth.Server.Storage.PostgreSql;

/// <summary>Importer registrations in table <c>importers</c>, one row per repository and importer.</summary>
public sealed class PostgreSqlImporterRegistrationStore(PostgreSqlDatabase database) : IImporterRegistrationStore
{
    // Every import routes by them: read from memory until a server changes importers.
    private static readonly string[] Changes = [PostgreSqlChangeFeed.Importers];
    private readonly ReadCache<RepositoryId, IReadOnlyList<ImporterRegistration>> _byRepository = new(database.Changes, Changes, capacity: 10_000);

    public Task<IReadOnlyList<ImporterRegistration>> ListAsync(RepositoryId repositoryId, CancellationToken cancellationToken) =>
        _byRepository.GetOrReadAsync(
            repositoryId,
            async () => (IReadOnlyList<ImporterRegistration>)await database.ReadAsync(connection => ListAsync(connection, null, repositoryId, cancellationToken), cancellationToken));

    public Task<ImporterRegistrationOutcome> TryAddAsync(
        ImporterRegistration registration, Func<ImporterRegistration, bool> conflictsWith, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registration);
        ArgumentNullException.ThrowIfNull(conflictsWith);
        return database.WriteAsync(
            Changes,
            async (connection, transaction) =>
            {
                // The repository's row, locked: registrations on it (here or on another server) wait for this one, so
                // that two which conflict cannot both see the other missing.
                var repository = await connection.Command("SELECT id FROM repositories WHERE id = @id FOR UPDATE", transaction)
                    .With("id", registration.RepositoryId.Value)
                    .ScalarAsync<string>(cancellationToken);
                if (repository is null)
                {
                    return ImporterRegistrationOutcome.RepositoryMissing;
                }

                var existing = await ListAsync(connection, transaction, registration.RepositoryId, cancellationToken);
                if (existing.Any(r => r.ImporterTypeId == registration.ImporterTypeId))
                {
                    return ImporterRegistrationOutcome.AlreadyRegistered;
                }

                if (existing.Any(conflictsWith))
                {
                    return ImporterRegistrationOutcome.TypesConflict;
                }

                await InsertAsync(connection, transaction, registration, cancellationToken);
                return ImporterRegistrationOutcome.Added;
            },
            cancellationToken);
    }

    public Task<IReadOnlyList<ImporterRegistration>> ChangeConfigsAsync(
        RepositoryId repositoryId, Func<IReadOnlyList<ImporterRegistration>, IReadOnlyList<ImporterRegistration>> change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        return database.WriteAsync(
            Changes,
            async (connection, transaction) =>
            {
                // Locked as registration locks them: a change here or on another server waits for this one.
                await connection.Command("SELECT id FROM repositories WHERE id = @id FOR UPDATE", transaction).With("id", repositoryId.Value).ScalarAsync<string>(cancellationToken);
                var changed = change(await ListAsync(connection, transaction, repositoryId, cancellationToken));
                foreach (var registration in changed)
                {
                    await connection.Command("UPDATE importers SET config = @config WHERE repo_id = @repo AND importer_type_id = @type", transaction)
                        .With("repo", repositoryId.Value)
                        .With("type", registration.ImporterTypeId)
                        .WithJson("config", registration.Config)
                        .ExecuteAsync(cancellationToken);
                }

                return changed;
            },
            cancellationToken);
    }

    public Task<bool> RemoveAsync(RepositoryId repositoryId, string importerTypeId, CancellationToken cancellationToken) =>
        database.WriteAsync(
            Changes,
            async (connection, transaction) => await connection.Command("DELETE FROM importers WHERE repo_id = @repo AND importer_type_id = @type", transaction)
                .With("repo", repositoryId.Value)
                .With("type", importerTypeId)
                .ExecuteAsync(cancellationToken) > 0,
            cancellationToken);

    /// <summary>Writes a registration; also written by a repository created with its importers.</summary>
    internal static Task InsertAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, ImporterRegistration registration, CancellationToken cancellationToken) =>
        connection.Command("INSERT INTO importers (repo_id, importer_type_id, config, registered) VALUES (@repo, @type, @config, @registered)", transaction)
            .With("repo", registration.RepositoryId.Value)
            .With("type", registration.ImporterTypeId)
            .WithJson("config", registration.Config)
            .WithTime("registered", registration.Registered)
            .ExecuteAsync(cancellationToken);

    private static Task<List<ImporterRegistration>> ListAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, RepositoryId repositoryId, CancellationToken cancellationToken) =>
        connection.Command("SELECT importer_type_id, config, registered FROM importers WHERE repo_id = @repo ORDER BY importer_type_id", transaction)
            .With("repo", repositoryId.Value)
            .ListAsync(
                reader => new ImporterRegistration
                {
                    RepositoryId = repositoryId,
                    ImporterTypeId = reader.GetString(0),
                    Config = reader.GetJson(1).AsObject(),
                    Registered = reader.GetTime(2),
                },
                cancellationToken);
}
