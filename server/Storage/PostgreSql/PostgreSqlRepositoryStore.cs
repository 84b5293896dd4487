using System.Text.Json.Nodes;
using Berth.Server.Importers;
using Berth.Server.Repositories;
using Docker.Common.References;
using Npgsql;

namespace Berth.Server.Storage.PostgreSql;

/// <summary>Repositories in table <c>repositories</c>; ids and registry names unique by constraint.</summary>
public sealed class PostgreSqlRepositoryStore(PostgreSqlDatabase database, TimeProvider clock) : IRepositoryStore
{
    private const string Columns = "id, display_name, description, notes, created, registry_name, anonymous_pull";

    // Every request names a repository: read from memory until a server changes repositories.
    private static readonly string[] Changes = [PostgreSqlChangeFeed.Repositories];
    private static readonly string[] ChangesWithImporters = [PostgreSqlChangeFeed.Repositories, PostgreSqlChangeFeed.Importers];
    private readonly ReadCache<string, Repository?> _byRegistryName = new(database.Changes, Changes, capacity: 10_000);
    private readonly ReadCache<RepositoryId, Repository?> _byId = new(database.Changes, Changes, capacity: 10_000);

    public Task<RepositoryWriteOutcome> TryCreateAsync(Repository repository, IReadOnlyList<ImporterRegistration> importers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(importers);
        return database.WriteAsync(
            ChangesWithImporters,
            async (connection, transaction) =>
            {
                if (!await TryInsertAsync(connection, transaction, repository, cancellationToken))
                {
                    var idTaken = await connection.Command("SELECT 1 FROM repositories WHERE id = @id", transaction).With("id", repository.Id.Value).ScalarAsync<int?>(cancellationToken) is not null;
                    return idTaken ? RepositoryWriteOutcome.IdTaken : RepositoryWriteOutcome.RegistryNameTaken;
                }

                // History left by a repository of this id whose deletion raced a tag move is not the new one's to show.
                await connection.Command("DELETE FROM tag_history WHERE repo_id = @id", transaction).With("id", repository.Id.Value).ExecuteAsync(cancellationToken);
                foreach (var importer in importers)
                {
                    await PostgreSqlImporterRegistrationStore.InsertAsync(connection, transaction, importer, cancellationToken);
                }

                return RepositoryWriteOutcome.Written;
            },
            cancellationToken);
    }

    public async Task<RepositoryWriteOutcome> TryUpdateAsync(Repository repository, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        try
        {
            return await database.WriteAsync(
                Changes,
                async (connection, transaction) =>
                {
                    var updated = await WithValues(connection.Command(
                            "UPDATE repositories SET display_name = @display_name, description = @description, notes = @notes, registry_name = @registry_name, anonymous_pull = @anonymous_pull WHERE id = @id",
                            transaction), repository)
                        .ExecuteAsync(cancellationToken);
                    return updated == 0 ? RepositoryWriteOutcome.Missing : RepositoryWriteOutcome.Written;
                },
                cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            // The registry name is another repository's: the transaction is rolled back whole.
            return RepositoryWriteOutcome.RegistryNameTaken;
        }
    }

    // Only repositories that exist are remembered: ids that clients make up leave nothing behind.
    public Task<Repository?> FindAsync(RepositoryId id, CancellationToken cancellationToken) =>
        _byId.GetOrReadAsync(
            id,
            () => database.ReadAsync(
                connection => connection.Command($"SELECT {Columns} FROM repositories WHERE id = @id").With("id", id.Value).FirstOrDefaultAsync(Read, cancellationToken),
                cancellationToken),
            keep: found => found is not null);

    // Misses are not remembered either: a name another server has just given a repository (a first push there) must be
    // found here at once, before the change reaches this server, and names that clients make up leave nothing behind.
    public Task<Repository?> FindByRegistryNameAsync(RegistryName name, CancellationToken cancellationToken) =>
        _byRegistryName.GetOrReadAsync(
            name.Value,
            () => database.ReadAsync(
                connection => connection.Command($"SELECT {Columns} FROM repositories WHERE registry_name = @name").With("name", name.Value).FirstOrDefaultAsync(Read, cancellationToken),
                cancellationToken),
            keep: found => found is not null);

    public async Task<IReadOnlyList<Repository>> ListAsync(CancellationToken cancellationToken) =>
        await database.ReadAsync(connection => connection.Command($"SELECT {Columns} FROM repositories ORDER BY id").ListAsync(Read, cancellationToken), cancellationToken);

    public async Task<IReadOnlyList<Repository>> ListAsync(RepositoryId? after, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);

        // The primary key's index (ids are COLLATE "C": ordinal), from where the page starts.
        return await database.ReadAsync(
            connection => (after is { } start
                    ? connection.Command($"SELECT {Columns} FROM repositories WHERE id > @after ORDER BY id LIMIT @limit").With("after", start.Value)
                    : connection.Command($"SELECT {Columns} FROM repositories ORDER BY id LIMIT @limit"))
                .With("limit", (long)limit)
                .ListAsync(Read, cancellationToken),
            cancellationToken);
    }

    public Task<bool> DeleteAsync(RepositoryId id, CancellationToken cancellationToken) =>
        database.WriteAsync(
            ChangesWithImporters,
            async (connection, transaction) =>
            {
                // Importers, associations and the retention policy go with it (ON DELETE CASCADE).
                if (await connection.Command("DELETE FROM repositories WHERE id = @id", transaction).With("id", id.Value).ExecuteAsync(cancellationToken) == 0)
                {
                    return false;
                }

                await connection.Command("DELETE FROM tag_history WHERE repo_id = @id", transaction).With("id", id.Value).ExecuteAsync(cancellationToken);

                // Marking each of a large repository's units as released would write every one of them; one mark instead
                // starts every orphan's grace period afresh (see PostgreSqlOrphanStore).
                await PostgreSqlMarks.SetAsync(connection, transaction, PostgreSqlMarks.RepositoryDeleted, clock.GetUtcNow(), cancellationToken);
                return true;
            },
            cancellationToken);

    /// <summary>
    /// Inserts a repository unless its id or registry name is taken (ON CONFLICT DO NOTHING covers both unique columns;
    /// the caller asks which); also written by <c>migrate</c>.
    /// </summary>
    internal static async Task<bool> TryInsertAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Repository repository, CancellationToken cancellationToken) =>
        await WithValues(connection.Command(
                $"INSERT INTO repositories ({Columns}) VALUES (@id, @display_name, @description, @notes, @created, @registry_name, @anonymous_pull) ON CONFLICT DO NOTHING",
                transaction), repository)
            .ExecuteAsync(cancellationToken) == 1;

    private static NpgsqlCommand WithValues(NpgsqlCommand command, Repository repository) => command
        .With("id", repository.Id.Value)
        .With("display_name", repository.DisplayName)
        .With("description", repository.Description)
        .WithJson("notes", new JsonObject(repository.Notes.Select(n => KeyValuePair.Create(n.Key, (JsonNode?)JsonValue.Create(n.Value)))))
        .WithTime("created", repository.Created)
        .With("registry_name", repository.RegistryName?.Value)
        .With("anonymous_pull", repository.AnonymousPull);

    private static Repository Read(NpgsqlDataReader reader) => new()
    {
        Id = RepositoryId.TryParse(reader.GetString(0), out var id, out _) ? id : throw new InvalidDataException($"stored repository id '{reader.GetString(0)}' is invalid"),
        DisplayName = reader.GetString(1),
        Description = reader.GetNullableString(2),
        Notes = reader.GetJson(3).AsObject().ToDictionary(n => n.Key, n => n.Value!.GetValue<string>()),
        Created = reader.GetTime(4),
        RegistryName = reader.GetNullableString(5) is { } stored && RegistryName.TryParse(stored, out var name, out _) ? name : null,
        AnonymousPull = reader.GetBoolean(6),
    };
}
