using System.Text.Json;
using Berth.Server.Access;
using Berth.Server.Events;
using Berth.Server.Importers;
using Berth.Server.Repositories;
using Berth.Server.Retention;
using Berth.Server.Storage.Migration;
using Berth.Server.TagHistory;
using Berth.Server.Uploads;
using Npgsql;

namespace Berth.Server.Storage.PostgreSql;

/// <summary>
/// Writes what <c>migrate</c> copies into PostgreSQL, keeping ids, times and orders as the source had them. Each
/// part is written in transactions that can run again (rows already there are left alone), and a part once complete is
/// recorded in <c>berth_migration_steps</c>, so that a migration cut off goes on where it stopped.
/// </summary>
public sealed class PostgreSqlMetadataImport(PostgreSqlDatabase database)
{
    public async Task<IReadOnlySet<string>> PrepareAsync(CancellationToken cancellationToken)
    {
        await database.OpenAsync(cancellationToken);
        var done = await database.WriteAsync(
            async (connection, transaction) =>
            {
                await connection.Command("CREATE TABLE IF NOT EXISTS berth_migration_steps (step text PRIMARY KEY, done timestamptz NOT NULL DEFAULT now())", transaction)
                    .ExecuteAsync(cancellationToken);
                return await connection.Command("SELECT step FROM berth_migration_steps", transaction).ListAsync(r => r.GetString(0), cancellationToken);
            },
            cancellationToken);
        return done.ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Whether the database holds anything a migration did not write: then it is not the one to migrate into.</summary>
    public Task<bool> HoldsOtherDataAsync(CancellationToken cancellationToken) =>
        database.ReadAsync(
            connection => connection.Command(
                    """
                    SELECT NOT EXISTS (SELECT 1 FROM berth_migration_steps)
                       AND (EXISTS (SELECT 1 FROM repositories) OR EXISTS (SELECT 1 FROM units) OR EXISTS (SELECT 1 FROM users))
                    """)
                .ScalarAsync<bool>(cancellationToken),
            cancellationToken);

    public Task CopyAccessAsync(
        IReadOnlyList<User> users, IReadOnlyList<ApiToken> tokens, IReadOnlyList<(string Id, DateTimeOffset Expires)> signedOutSessions, CancellationToken cancellationToken) =>
        StepAsync(
            MigrationSteps.Access,
            async (connection, transaction) =>
            {
                // One transaction with its step's record: written once or not at all.
                foreach (var user in users)
                {
                    await PostgreSqlUserStore.TryInsertAsync(connection, transaction, user, cancellationToken);
                }

                foreach (var token in tokens)
                {
                    await PostgreSqlUserStore.InsertTokenAsync(connection, transaction, token, cancellationToken);
                }

                // A session signed out on the embedded store stays signed out: its cookie may still be in a browser.
                foreach (var (id, expires) in signedOutSessions)
                {
                    await connection.Command("INSERT INTO signed_out_sessions (id, expires) VALUES (@id, @expires) ON CONFLICT DO NOTHING", transaction)
                        .With("id", id)
                        .WithTime("expires", expires)
                        .ExecuteAsync(cancellationToken);
                }
            },
            cancellationToken);

    public Task CopyRepositoriesAsync(
        IReadOnlyList<Repository> repositories,
        IReadOnlyList<ImporterRegistration> importers,
        IReadOnlyList<(RepositoryId Repository, RetentionPolicy Policy)> policies,
        CancellationToken cancellationToken) =>
        StepAsync(
            MigrationSteps.Repositories,
            async (connection, transaction) =>
            {
                foreach (var repository in repositories)
                {
                    await PostgreSqlRepositoryStore.TryInsertAsync(connection, transaction, repository, cancellationToken);
                }

                foreach (var importer in importers)
                {
                    await PostgreSqlImporterRegistrationStore.InsertAsync(connection, transaction, importer, cancellationToken);
                }

                foreach (var (repository, policy) in policies)
                {
                    await connection.Command("INSERT INTO retention_policies (repo_id, policy) VALUES (@repo, @policy) ON CONFLICT DO NOTHING", transaction)
                        .With("repo", repository.Value)
                        .With("policy", policy.Describe().ToJsonString())
                        .ExecuteAsync(cancellationToken);
                }
            },
            cancellationToken);

    /// <summary>The last unit id copied so far (units are copied in id order), or null.</summary>
    public Task<string?> LastUnitIdAsync(CancellationToken cancellationToken) =>
        database.ReadAsync(connection => connection.Command("SELECT max(id) FROM units").ScalarAsync<string>(cancellationToken), cancellationToken);

    public Task CopyUnitsAsync(IReadOnlyList<StoredUnit> units, CancellationToken cancellationToken) =>
        database.WriteAsync(
            (connection, transaction) => connection.Command(
                    """
                    INSERT INTO units (id, type_id, unit_key, key_fields, metadata, unit_references, content_digest, created, updated, released, user_metadata)
                    SELECT * FROM unnest(@ids, @types, @keys, @key_fields, @metadata, @references, @digests, @created, @updated, @released, @user_metadata)
                    ON CONFLICT DO NOTHING
                    """,
                    transaction)
                .With("ids", units.Select(u => u.Unit.Id!).ToArray())
                .With("types", units.Select(u => u.Unit.TypeId).ToArray())
                .With("keys", units.Select(u => u.Unit.Key.Canonical).ToArray())
                .WithJsonArray("key_fields", units.Select(u => PostgreSqlUnitRows.KeyJson(u.Unit.Key)))
                .WithJsonArray("metadata", units.Select(u => u.Unit.Metadata))
                .WithJsonArray("references", units.Select(u => u.ReferencesRecorded ? PostgreSqlUnitRows.ReferencesJson(u.Unit.References) : null))
                .With("digests", units.Select(u => u.Unit.ContentDigest).ToArray())
                .With("created", units.Select(u => u.Created.ToUniversalTime()).ToArray())
                .With("updated", units.Select(u => u.Updated.ToUniversalTime()).ToArray())
                .With("released", units.Select(u => u.Released?.ToUniversalTime()).ToArray())
                .WithJsonArray("user_metadata", units.Select(u => u.UserMetadata))
                .ExecuteAsync(cancellationToken),
            cancellationToken);

    /// <summary>The last association copied so far (they are copied in the order they were made), or 0.</summary>
    public Task<long> LastAssociationAsync(CancellationToken cancellationToken) =>
        database.ReadAsync(async connection => await connection.Command("SELECT max(seq) FROM associations").ScalarAsync<long?>(cancellationToken) ?? 0, cancellationToken);

    public Task CopyAssociationsAsync(IReadOnlyList<StoredAssociation> associations, CancellationToken cancellationToken) =>
        database.WriteAsync(
            (connection, transaction) => connection.Command(
                    """
                    INSERT INTO associations (repo_id, unit_id, type_id, seq, created, updated) OVERRIDING SYSTEM VALUE
                    SELECT * FROM unnest(@repos, @units, @types, @seqs, @created, @updated)
                    ON CONFLICT DO NOTHING
                    """,
                    transaction)
                .With("repos", associations.Select(a => a.Repository.Value).ToArray())
                .With("units", associations.Select(a => a.UnitId).ToArray())
                .With("types", associations.Select(a => a.TypeId).ToArray())
                .With("seqs", associations.Select(a => a.Sequence).ToArray())
                .With("created", associations.Select(a => a.Created.ToUniversalTime()).ToArray())
                .With("updated", associations.Select(a => a.Updated.ToUniversalTime()).ToArray())
                .ExecuteAsync(cancellationToken),
            cancellationToken);

    /// <summary>Records units and associations complete; associations made from now on come after the copied ones.</summary>
    public Task FinishContentAsync(CancellationToken cancellationToken) =>
        StepAsync(
            MigrationSteps.Content,
            (connection, transaction) => connection.Command("SELECT setval(pg_get_serial_sequence('associations', 'seq'), greatest((SELECT max(seq) FROM associations), 1))", transaction)
                .ExecuteAsync(cancellationToken),
            cancellationToken);

    public Task CopyHistoryAndStateAsync(
        IReadOnlyList<TagMove> moves,
        IReadOnlyList<UploadRequest> uploads,
        IReadOnlyList<(UploadId Id, DateTimeOffset Opened)> endedSessions,
        IReadOnlyList<(string Name, DateTimeOffset At)> marks,
        IReadOnlyList<OutboxEntry> events,
        IReadOnlyList<(string Endpoint, long Position)> cursors,
        CancellationToken cancellationToken) =>
        StepAsync(
            MigrationSteps.HistoryAndState,
            async (connection, transaction) =>
            {
                // Tag history has no key of its own: this step is one transaction, so it is written once or not at all.
                await PostgreSqlUnitOfWorkStore.RecordAsync(connection, transaction, moves, cancellationToken);
                foreach (var upload in uploads)
                {
                    await connection.Command("INSERT INTO uploads (id, created, repo_id, owner) VALUES (@id, @created, @repo, @owner) ON CONFLICT DO NOTHING", transaction)
                        .With("id", upload.Id.Value)
                        .WithTime("created", upload.Created)
                        .With("repo", upload.Repository?.Value)
                        .With("owner", upload.Owner)
                        .ExecuteAsync(cancellationToken);
                }

                foreach (var (id, opened) in endedSessions)
                {
                    await connection.Command("INSERT INTO ended_sessions (id, opened) VALUES (@id, @opened) ON CONFLICT DO NOTHING", transaction)
                        .With("id", id.Value)
                        .WithTime("opened", opened)
                        .ExecuteAsync(cancellationToken);
                }

                foreach (var (name, at) in marks)
                {
                    await PostgreSqlMarks.SetAsync(connection, transaction, name, at, cancellationToken);
                }

                foreach (var entry in events)
                {
                    await connection.Command("INSERT INTO events (position, body) VALUES (@position, @body)", transaction)
                        .With("position", entry.Position)
                        .With("body", JsonSerializer.Serialize(entry.Event, EventJsonContext.Default.NotificationEvent))
                        .ExecuteAsync(cancellationToken);
                }

                foreach (var (endpoint, position) in cursors)
                {
                    await connection.Command("INSERT INTO event_cursors (endpoint, position) VALUES (@endpoint, @position) ON CONFLICT DO NOTHING", transaction)
                        .With("endpoint", endpoint)
                        .With("position", position)
                        .ExecuteAsync(cancellationToken);
                }

                // New events come after every copied one, and after every cursor.
                var last = events.Select(e => e.Position).Concat(cursors.Select(c => c.Position)).DefaultIfEmpty(0).Max();
                await connection.Command("UPDATE event_positions SET last = greatest(last, @last)", transaction).With("last", last).ExecuteAsync(cancellationToken);
            },
            cancellationToken);

    private async Task StepAsync(string step, Func<NpgsqlConnection, NpgsqlTransaction, Task> write, CancellationToken cancellationToken) =>
        await database.WriteAsync(
            async (connection, transaction) =>
            {
                await write(connection, transaction);
                await connection.Command("INSERT INTO berth_migration_steps (step) VALUES (@step) ON CONFLICT DO NOTHING", transaction).With("step", step).ExecuteAsync(cancellationToken);
                return true;
            },
            cancellationToken);
}
