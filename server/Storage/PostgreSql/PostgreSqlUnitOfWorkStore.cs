using Berth.Plugins;
using Berth.Server.Errors;
using Berth.Server.Membership;
using Berth.Server.TagHistory;
using Npgsql;

namespace Berth.Server.Storage.PostgreSql;

/// <summary>
/// Commits a unit of work in one PostgreSQL transaction: a statement per kind of write, each over arrays
/// (<c>unnest</c>), so that a push costs a handful of round trips whatever it holds.
/// </summary>
/// <remarks>
/// Concurrent works stay apart by the database's own means: a unit saved by two at once is one row (the upsert on its
/// type and key), an association names a repository that exists until the commit (a key-share lock on its row, taken
/// by the check and by the foreign key) and a unit that exists (the foreign key: orphan collection on any server
/// cannot delete a unit that a commit is associating; one of the two fails).
/// </remarks>
public sealed class PostgreSqlUnitOfWorkStore(PostgreSqlDatabase database, TimeProvider clock) : IUnitOfWorkStore
{
    public async Task<CommittedWork> CommitAsync(UnitOfWork work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        var (saves, associations, removals, moves, uploads, events) = (work.Saves, work.Associations, work.Removals, work.Moves, work.EndedUploads, work.Events);
        var imported = work.ImportedUploads;
        var now = clock.GetUtcNow();
        try
        {
            var ids = await database.WriteAsync(
                async (connection, transaction) =>
                {
                    var ids = await SaveAsync(connection, transaction, saves, now, cancellationToken);
                    await AssociateAsync(connection, transaction, associations, ids, now, cancellationToken);
                    await RemoveAsync(connection, transaction, removals, now, cancellationToken);
                    await RecordAsync(connection, transaction, moves, cancellationToken);
                    if (uploads.Count > 0)
                    {
                        await connection.Command("DELETE FROM uploads WHERE id = ANY(@ids)", transaction)
                            .With("ids", uploads.Select(u => u.Value).ToArray())
                            .ExecuteAsync(cancellationToken);
                    }

                    if (imported.Count > 0)
                    {
                        await connection.Command(
                                "INSERT INTO ended_sessions (id, opened) SELECT * FROM unnest(@ids, @opened) ON CONFLICT (id) DO NOTHING", transaction)
                            .With("ids", imported.Select(u => u.Id.Value).ToArray())
                            .With("opened", imported.Select(u => u.Created.UtcDateTime).ToArray())
                            .ExecuteAsync(cancellationToken);
                    }

                    await PostgreSqlEventStore.InsertAsync(connection, transaction, events, cancellationToken);
                    return ids;
                },
                cancellationToken);
            return new CommittedWork(ids);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ForeignKeyViolation && e.TableName == "associations" && e.ConstraintName?.Contains("unit_id", StringComparison.Ordinal) == true)
        {
            throw new InvalidOperationException("a unit to associate was deleted before the association was committed", e);
        }
    }

    /// <summary>Inserts or updates the saved units; returns the id each has in the store.</summary>
    private static async Task<Dictionary<UnitIdentity, string>> SaveAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<Unit> saves, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (saves.Count == 0)
        {
            return [];
        }

        // In one order for every work: two works saving the same units then lock their rows in the same order.
        var ordered = saves.OrderBy(u => u.TypeId, StringComparer.Ordinal).ThenBy(u => u.Key.Canonical, StringComparer.Ordinal).ToList();
        var stored = await connection.Command(
                """
                INSERT INTO units (id, type_id, unit_key, key_fields, metadata, unit_references, content_digest, created, updated)
                SELECT s.id, s.type_id, s.unit_key, s.key_fields, s.metadata, s.unit_references, s.content_digest, @now, @now
                FROM unnest(@ids, @types, @keys, @key_fields, @metadata, @references, @digests)
                    AS s (id, type_id, unit_key, key_fields, metadata, unit_references, content_digest)
                ON CONFLICT (type_id, unit_key) DO UPDATE SET
                    metadata = excluded.metadata,
                    unit_references = excluded.unit_references,
                    content_digest = coalesce(excluded.content_digest, units.content_digest),
                    updated = excluded.updated
                RETURNING id, type_id, unit_key
                """,
                transaction)
            .With("ids", ordered.Select(u => u.Id ?? Units.UnitIds.New()).ToArray())
            .With("types", ordered.Select(u => u.TypeId).ToArray())
            .With("keys", ordered.Select(u => u.Key.Canonical).ToArray())
            .WithJsonArray("key_fields", ordered.Select(u => PostgreSqlUnitRows.KeyJson(u.Key)))
            .WithJsonArray("metadata", ordered.Select(u => u.Metadata))
            .WithJsonArray("references", ordered.Select(u => PostgreSqlUnitRows.ReferencesJson(u.References)))
            .With("digests", ordered.Select(u => u.ContentDigest).ToArray())
            .WithTime("now", now)
            .ListAsync(reader => (Identity: new UnitIdentity(reader.GetString(1), reader.GetString(2)), Id: reader.GetString(0)), cancellationToken);
        return stored.ToDictionary(s => s.Identity, s => s.Id);
    }

    private static async Task AssociateAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction transaction,
        IReadOnlyList<UnitAssociation> associations,
        Dictionary<UnitIdentity, string> saved,
        DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        if (associations.Count == 0)
        {
            return;
        }

        // Key-share locks: the repositories cannot be deleted before this commits, and other works are not held up.
        var repositories = associations.Select(a => a.Repository.Value).Distinct(StringComparer.Ordinal).ToArray();
        var present = (await connection.Command("SELECT id FROM repositories WHERE id = ANY(@ids) FOR KEY SHARE", transaction)
                .With("ids", repositories)
                .ListAsync(reader => reader.GetString(0), cancellationToken))
            .ToHashSet(StringComparer.Ordinal);
        if (repositories.FirstOrDefault(r => !present.Contains(r)) is { } missing)
        {
            throw new NotFoundException("repository", missing);
        }

        var unitIds = await UnitIdsAsync(connection, transaction, associations.Select(a => a.Unit), saved, cancellationToken);
        await connection.Command(
                """
                INSERT INTO associations (repo_id, unit_id, type_id, created, updated)
                SELECT s.repo_id, s.unit_id, s.type_id, @now, @now
                FROM unnest(@repos, @units, @types) WITH ORDINALITY AS s (repo_id, unit_id, type_id, n)
                ORDER BY s.n
                ON CONFLICT (repo_id, unit_id) DO UPDATE SET updated = excluded.updated
                """,
                transaction)
            .With("repos", associations.Select(a => a.Repository.Value).ToArray())
            .With("units", associations.Select(a => unitIds[UnitIdentity.Of(a.Unit)]).ToArray())
            .With("types", associations.Select(a => a.Unit.TypeId).ToArray())
            .WithTime("now", now)
            .ExecuteAsync(cancellationToken);
    }

    /// <summary>The stored ids of units to associate: saved by this work, or stored before.</summary>
    private static async Task<Dictionary<UnitIdentity, string>> UnitIdsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, IEnumerable<Unit> units, Dictionary<UnitIdentity, string> saved, CancellationToken cancellationToken)
    {
        var ids = new Dictionary<UnitIdentity, string>(saved);
        var unknown = units.Select(UnitIdentity.Of).Where(i => !ids.ContainsKey(i)).Distinct().ToList();
        if (unknown.Count == 0)
        {
            return ids;
        }

        var found = await connection.Command(
                """
                SELECT u.id, u.type_id, u.unit_key
                FROM unnest(@types, @keys) AS wanted (type_id, unit_key)
                JOIN units u ON u.type_id = wanted.type_id AND u.unit_key = wanted.unit_key
                """,
                transaction)
            .With("types", unknown.Select(i => i.TypeId).ToArray())
            .With("keys", unknown.Select(i => i.Key).ToArray())
            .ListAsync(reader => (Identity: new UnitIdentity(reader.GetString(1), reader.GetString(2)), Id: reader.GetString(0)), cancellationToken);
        foreach (var (identity, id) in found)
        {
            ids[identity] = id;
        }

        // Orphan collection cannot take a unit that is about to be associated (see ReferenceGuard); should that promise
        // ever break, failing here beats an association to nothing.
        if (unknown.FirstOrDefault(i => !ids.ContainsKey(i)) is { TypeId: not null } gone)
        {
            throw new InvalidOperationException($"unit {gone} was deleted before its association");
        }

        return ids;
    }

    private static async Task RemoveAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<UnitRemoval> removals, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (removals.Count == 0)
        {
            return;
        }

        // Each unit that leaves is marked released: an orphan's grace period runs from then.
        await connection.Command(
                """
                WITH gone AS (
                    DELETE FROM associations a
                    USING unnest(@repos, @units) AS r (repo_id, unit_id)
                    WHERE a.repo_id = r.repo_id AND a.unit_id = r.unit_id
                    RETURNING a.unit_id
                )
                UPDATE units SET released = @now WHERE id IN (SELECT unit_id FROM gone)
                """,
                transaction)
            .With("repos", removals.Select(r => r.Repository.Value).ToArray())
            .With("units", removals.Select(r => r.UnitId).ToArray())
            .WithTime("now", now)
            .ExecuteAsync(cancellationToken);
    }

    /// <summary>Appends tag moves in order; also written by <c>migrate</c>.</summary>
    internal static async Task RecordAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<TagMove> moves, CancellationToken cancellationToken)
    {
        if (moves.Count == 0)
        {
            return;
        }

        await connection.Command(
                """
                INSERT INTO tag_history (repo_id, tag, at, actor, old_digest, new_digest)
                SELECT s.repo_id, s.tag, s.at, s.actor, s.old_digest, s.new_digest
                FROM unnest(@repos, @tags, @ats, @actors, @olds, @news) WITH ORDINALITY AS s (repo_id, tag, at, actor, old_digest, new_digest, n)
                ORDER BY s.n
                """,
                transaction)
            .With("repos", moves.Select(m => m.Repository.Value).ToArray())
            .With("tags", moves.Select(m => m.Tag).ToArray())
            .With("ats", moves.Select(m => m.At.ToUniversalTime()).ToArray())
            .With("actors", moves.Select(m => m.Actor).ToArray())
            .With("olds", moves.Select(m => m.OldDigest).ToArray())
            .With("news", moves.Select(m => m.NewDigest).ToArray())
            .ExecuteAsync(cancellationToken);
    }
}
