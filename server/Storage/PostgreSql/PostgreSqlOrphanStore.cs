using Berth.Server.Orphans;
using Npgsql;

namespace Berth.Server.Storage.PostgreSql;

/// <summary>
/// Orphans are units no row of <c>associations</c> names, found by walking <c>units</c> in id order, a slice at a time.
/// A unit's orphan time is the latest of its last import (<c>updated</c>), its last removal from a repository
/// (<c>released</c>) and the last deletion of any repository (a mark: see <see cref="PostgreSqlRepositoryStore"/>).
/// </summary>
public sealed class PostgreSqlOrphanStore(PostgreSqlDatabase database) : IOrphanStore
{
    // Concurrent imports are not queued behind a collection here: the database runs them side by side.
    public bool IsBusy => false;

    // Each unit of the slice is looked up in the associations' unit index (LATERAL ... LIMIT 1): an EXISTS in the select
    // list may be planned as one hash of every association, a scan of the whole table for every slice.
    public Task<OrphanPage> PageAsync(string? typeId, string? after, int scan, CancellationToken cancellationToken) =>
        database.ReadAsync(
            async connection =>
            {
                var repositoryDeleted = await PostgreSqlMarks.GetAsync(connection, null, PostgreSqlMarks.RepositoryDeleted, cancellationToken) ?? DateTimeOffset.MinValue;
                var slice = await connection.Command(
                        $"""
                        SELECT {PostgreSqlUnitRows.Columns("u")}, u.updated, u.released, held.unit_id IS NOT NULL
                        FROM (SELECT * FROM units WHERE id > @after ORDER BY id LIMIT @scan) u
                        LEFT JOIN LATERAL (SELECT a.unit_id FROM associations a WHERE a.unit_id = u.id LIMIT 1) held ON true
                        ORDER BY u.id
                        """)
                    .With("after", after ?? string.Empty)
                    .With("scan", (long)scan)
                    .ListAsync(reader => (Orphan: ReadOrphan(reader, repositoryDeleted), Held: reader.GetBoolean(8)), cancellationToken);
                var orphans = slice
                    .Where(u => !u.Held && (typeId is null || u.Orphan.Unit.TypeId == typeId))
                    .Select(u => u.Orphan)
                    .ToList();
                return new OrphanPage(orphans, slice.Count < scan ? null : slice[^1].Orphan.Unit.Id);
            },
            cancellationToken);

    public async Task<IReadOnlyList<Orphan>> DeleteAsync(IReadOnlyCollection<Orphan> orphans, DateTimeOffset orphanedBefore, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(orphans);
        if (orphans.Count == 0)
        {
            return [];
        }

        var ids = orphans.Select(o => o.Unit.Id!).ToArray();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await DeleteStillOrphanedAsync(ids, orphanedBefore, cancellationToken);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ForeignKeyViolation && attempt < 3)
            {
                // A unit was associated by a commit that this delete waited for: looked at again, it is no orphan.
            }
        }
    }

    public async Task<IReadOnlySet<string>> NamedDigestsAsync(string prefix, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prefix);

        // A range of the index rather than LIKE, whose '_' and '%' a prefix could hold; digests are ASCII, below U+FFFF.
        var named = await database.ReadAsync(
            connection => connection.Command("SELECT DISTINCT content_digest FROM units WHERE content_digest >= @from AND content_digest < @to")
                .With("from", prefix)
                .With("to", prefix + '\uffff')
                .ListAsync(reader => reader.GetString(0), cancellationToken),
            cancellationToken);
        return named.ToHashSet(StringComparer.Ordinal);
    }

    // Looked at again inside the delete: what was an orphan when listed may have been imported, associated or re-imported
    // since, on this server or another.
    private Task<List<Orphan>> DeleteStillOrphanedAsync(string[] ids, DateTimeOffset orphanedBefore, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (connection, transaction) =>
            {
                var repositoryDeleted = await PostgreSqlMarks.GetAsync(connection, transaction, PostgreSqlMarks.RepositoryDeleted, cancellationToken) ?? DateTimeOffset.MinValue;
                return await connection.Command(
                        $"""
                        DELETE FROM units u
                        WHERE u.id = ANY(@ids)
                          AND NOT EXISTS (SELECT 1 FROM associations a WHERE a.unit_id = u.id)
                          AND greatest(u.updated, coalesce(u.released, u.updated), @repository_deleted) < @before
                        RETURNING {PostgreSqlUnitRows.Columns("u")}, u.updated, u.released
                        """,
                        transaction)
                    .With("ids", ids)
                    .WithTime("repository_deleted", repositoryDeleted)
                    .WithTime("before", orphanedBefore)
                    .ListAsync(reader => ReadOrphan(reader, repositoryDeleted), cancellationToken);
            },
            cancellationToken);

    private static Orphan ReadOrphan(NpgsqlDataReader reader, DateTimeOffset repositoryDeleted)
    {
        var since = new[] { reader.GetTime(6), reader.GetNullableTime(7) ?? DateTimeOffset.MinValue, repositoryDeleted }.Max();
        return new Orphan(PostgreSqlUnitRows.Read(reader), since);
    }
}
