using Berth.Server.Repositories;
using Berth.Server.Uploads;
using Npgsql;

namespace Berth.Server.Storage.PostgreSql;

/// <summary>Upload requests (table <c>uploads</c>) and the ids of ended registry sessions (table <c>ended_sessions</c>).</summary>
public sealed class PostgreSqlUploadRequestStore(PostgreSqlDatabase database) : IUploadRequestStore
{
    public Task CreateAsync(UploadRequest upload, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(upload);
        return database.WriteAsync(
            (connection, transaction) => connection.Command("INSERT INTO uploads (id, created, repo_id, owner) VALUES (@id, @created, @repo, @owner)", transaction)
                .With("id", upload.Id.Value)
                .WithTime("created", upload.Created)
                .With("repo", upload.Repository?.Value)
                .With("owner", upload.Owner)
                .ExecuteAsync(cancellationToken),
            cancellationToken);
    }

    public Task<UploadRequest?> FindAsync(UploadId id, CancellationToken cancellationToken) =>
        database.ReadAsync(
            connection => connection.Command("SELECT id, created, repo_id, owner FROM uploads WHERE id = @id").With("id", id.Value).FirstOrDefaultAsync(Read, cancellationToken),
            cancellationToken);

    public async Task<IReadOnlyList<UploadRequest>> ListAsync(CancellationToken cancellationToken) =>
        await database.ReadAsync(connection => connection.Command("SELECT id, created, repo_id, owner FROM uploads ORDER BY created").ListAsync(Read, cancellationToken), cancellationToken);

    public Task<bool> DeleteAsync(UploadId id, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (connection, transaction) => await connection.Command("DELETE FROM uploads WHERE id = @id", transaction).With("id", id.Value).ExecuteAsync(cancellationToken) > 0,
            cancellationToken);

    public async Task<IReadOnlyList<UploadPart>> PartsAsync(UploadId id, CancellationToken cancellationToken) =>
        await database.ReadAsync(
            connection => connection.Command("SELECT seq, \"offset\", length, name, stored FROM upload_parts WHERE upload_id = @id ORDER BY seq")
                .With("id", id.Value)
                .ListAsync(r => new UploadPart(r.GetInt32(0), r.GetInt64(1), r.GetInt64(2), r.GetString(3), r.GetTime(4)), cancellationToken),
            cancellationToken);

    public async Task<bool> AddPartAsync(UploadId id, UploadPart part, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(part);

        // The key (upload, number) lets one of two servers adding the same number in; the count keeps numbers without gaps,
        // and the join finds nothing once the upload has ended (or the key check fails, when it ends meanwhile).
        try
        {
            return await database.WriteAsync(
            async (connection, transaction) => await connection.Command(
                    """
                    INSERT INTO upload_parts (upload_id, seq, "offset", length, name, stored)
                    SELECT u.id, @seq, @offset, @length, @name, @stored FROM uploads u
                    WHERE u.id = @id AND (SELECT count(*) FROM upload_parts p WHERE p.upload_id = u.id) = @seq
                    ON CONFLICT (upload_id, seq) DO NOTHING
                    """,
                    transaction)
                .With("id", id.Value)
                .With("seq", part.Sequence)
                .With("offset", part.Offset)
                .With("length", part.Length)
                .With("name", part.Name)
                .WithTime("stored", part.Stored)
                .ExecuteAsync(cancellationToken) == 1,
            cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ForeignKeyViolation)
        {
            return false;
        }
    }

    public Task RememberEndedAsync(UploadId id, DateTimeOffset opened, CancellationToken cancellationToken) =>
        database.WriteAsync(
            (connection, transaction) => connection.Command("INSERT INTO ended_sessions (id, opened) VALUES (@id, @opened) ON CONFLICT (id) DO UPDATE SET opened = excluded.opened", transaction)
                .With("id", id.Value)
                .WithTime("opened", opened)
                .ExecuteAsync(cancellationToken),
            cancellationToken);

    public Task<bool> HasEndedAsync(UploadId id, CancellationToken cancellationToken) =>
        database.ReadAsync(
            async connection => await connection.Command("SELECT 1 FROM ended_sessions WHERE id = @id").With("id", id.Value).ScalarAsync<int?>(cancellationToken) is not null,
            cancellationToken);

    public async Task<bool> ForgetEndedAsync(UploadId id, CancellationToken cancellationToken) =>
        await database.WriteAsync(
            (connection, transaction) => connection.Command("DELETE FROM ended_sessions WHERE id = @id", transaction).With("id", id.Value).ExecuteAsync(cancellationToken),
            cancellationToken) > 0;

    public Task<int> ForgetEndedAsync(DateTimeOffset openedBefore, CancellationToken cancellationToken) =>
        database.WriteAsync(
            (connection, transaction) => connection.Command("DELETE FROM ended_sessions WHERE opened < @before", transaction).WithTime("before", openedBefore).ExecuteAsync(cancellationToken),
            cancellationToken);

    private static UploadRequest Read(NpgsqlDataReader reader) =>
        UploadId.TryParse(reader.GetString(0), out var id)
            ? new UploadRequest(
                id,
                reader.GetTime(1),
                reader.GetNullableString(2) is { } repository && RepositoryId.TryParse(repository, out var repositoryId, out _) ? repositoryId : null,
                reader.GetNullableString(3))
            : throw new InvalidDataException($"stored upload id '{reader.GetString(0)}' is invalid");
}
