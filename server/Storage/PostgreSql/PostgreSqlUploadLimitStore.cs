using Berth.Server.Uploads;
using Npgsql;

namespace Berth.Server.Storage.PostgreSql;

/// <summary>
/// Each user's upload limits across the servers sharing the database: counts from <c>uploads</c>, bytes from
/// <c>upload_parts</c> and <c>upload_reservations</c>, each check and its write under a transaction-level advisory lock
/// on the owner, taken in a statement of its own so that the check's statement sees every write made before it.
/// </summary>
/// <remarks>
/// <c>upload_reservations</c> is unlogged: a transaction that writes only it commits without waiting for the disk, which
/// keeps a reservation to a round trip or two, and a reservation lost with a crash of the database was never needed.
/// </remarks>
public sealed class PostgreSqlUploadLimitStore(PostgreSqlDatabase database) : IUploadLimitStore
{
    // pg_advisory_xact_lock's first key, with the owner's hash as the second: the two-key space is apart from the one-key
    // space the other Berth locks use ("upld" in ASCII).
    private const int OwnerLock = 0x75706c64;

    public async Task<int> CountOpenAsync(string owner, CancellationToken cancellationToken) =>
        (int)await database.ReadAsync(
            connection => connection.Command("SELECT count(*) FROM uploads WHERE owner = @owner").With("owner", owner).ScalarAsync<long>(cancellationToken),
            cancellationToken);

    public Task<int?> CreateWithinLimitAsync(UploadRequest upload, int maxOpen, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(upload);
        return database.WriteAsync(
            async (connection, transaction) =>
            {
                if (upload.Owner is { } owner)
                {
                    await LockAsync(connection, transaction, owner, cancellationToken);
                }

                var rows = await connection.Command(
                        """
                        WITH open AS (SELECT count(*) AS uploads FROM uploads WHERE owner = @owner),
                        made AS (
                            INSERT INTO uploads (id, created, repo_id, owner) SELECT @id, @created, @repo, @owner FROM open
                            WHERE @owner IS NULL OR open.uploads < @max
                            RETURNING 1)
                        SELECT open.uploads, EXISTS (SELECT 1 FROM made) FROM open
                        """,
                        transaction)
                    .With("id", upload.Id.Value)
                    .WithTime("created", upload.Created)
                    .With("repo", upload.Repository?.Value)
                    .With("owner", upload.Owner)
                    .With("max", (long)maxOpen)
                    .ListAsync(r => r.GetBoolean(1) ? (int?)null : (int)r.GetInt64(0), cancellationToken);
                return rows[0];
            },
            cancellationToken);
    }

    public Task<UploadReservation> ReserveAsync(Guid id, string owner, long atLeast, long wanted, long maxBytes, TimeSpan lifetime, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (connection, transaction) =>
            {
                await LockAsync(connection, transaction, owner, cancellationToken);

                // Expiry goes by the database's clock, which every server shares, not by each server's own.
                var rows = await connection.Command(
                        """
                        WITH held AS (
                            SELECT (coalesce((SELECT sum(extent) FROM (
                                        SELECT max(p."offset" + p.length) AS extent FROM uploads u JOIN upload_parts p ON p.upload_id = u.id
                                        WHERE u.owner = @owner GROUP BY u.id) AS stored), 0)
                                  + coalesce((SELECT sum(bytes) FROM upload_reservations WHERE owner = @owner AND expires > now() AND id <> @id), 0))::bigint AS bytes),
                        expired AS (DELETE FROM upload_reservations WHERE owner = @owner AND expires <= now() AND id <> @id),
                        reserved AS (
                            INSERT INTO upload_reservations (id, owner, bytes, expires)
                            SELECT @id, @owner, least(@wanted, @max - held.bytes), now() + @lifetime FROM held
                            WHERE held.bytes + @least <= @max
                            ON CONFLICT (id) DO UPDATE SET bytes = excluded.bytes, expires = excluded.expires
                            RETURNING bytes)
                        SELECT held.bytes, (SELECT bytes FROM reserved) FROM held
                        """,
                        transaction)
                    .With("id", id)
                    .With("owner", owner)
                    .With("least", atLeast)
                    .With("wanted", wanted)
                    .With("max", maxBytes)
                    .With("lifetime", lifetime)
                    .ListAsync(r => new UploadReservation(r.GetInt64(0), r.IsDBNull(1) ? null : r.GetInt64(1)), cancellationToken);
                return rows[0];
            },
            cancellationToken);

    public Task ReleaseAsync(Guid id, CancellationToken cancellationToken) =>
        database.WriteAsync(
            (connection, transaction) => connection.Command("DELETE FROM upload_reservations WHERE id = @id", transaction).With("id", id).ExecuteAsync(cancellationToken),
            cancellationToken);

    private static Task<int> LockAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string owner, CancellationToken cancellationToken) =>
        connection.Command("SELECT pg_advisory_xact_lock(@class, hashtext(@owner))", transaction)
            .With("class", OwnerLock)
            .With("owner", owner)
            .ExecuteAsync(cancellationToken);
}
