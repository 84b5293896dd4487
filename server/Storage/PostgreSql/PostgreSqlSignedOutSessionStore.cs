using Berth.Server.Access;

namespace Berth.Server.Storage.PostgreSql;

/// <summary>Web UI sessions signed out before they expire (table <c>signed_out_sessions</c>).</summary>
public sealed class PostgreSqlSignedOutSessionStore(PostgreSqlDatabase database) : ISignedOutSessionStore
{
    public Task SignOutAsync(string id, DateTimeOffset expires, DateTimeOffset now, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (connection, transaction) =>
            {
                await connection.Command("DELETE FROM signed_out_sessions WHERE expires < @now", transaction).WithTime("now", now).ExecuteAsync(cancellationToken);
                return await connection.Command("INSERT INTO signed_out_sessions (id, expires) VALUES (@id, @expires) ON CONFLICT (id) DO NOTHING", transaction)
                    .With("id", id)
                    .WithTime("expires", expires)
                    .ExecuteAsync(cancellationToken);
            },
            cancellationToken);

    public Task<bool> IsSignedOutAsync(string id, CancellationToken cancellationToken) =>
        database.ReadAsync(
            async connection => await connection.Command("SELECT 1 FROM signed_out_sessions WHERE id = @id").With("id", id).ScalarAsync<int?>(cancellationToken) is not null,
            cancellationToken);
}
