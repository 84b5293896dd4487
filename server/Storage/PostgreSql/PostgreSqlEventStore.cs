using System.Text.Json;
using Berth.Server.Events;
using Npgsql;

namespace Berth.Server.Storage.PostgreSql;

/// <summary>
/// The outbox in PostgreSQL (table <c>events</c>). An event is written without a position, in the transaction of the
/// change it reports; it gets one only once committed, from one counter (<c>event_positions</c>) that readers take in
/// turn. Positions taken at insert time would follow the order transactions began, not the order they committed: a
/// reader could pass position 11, committed first, before 10 commits, and never send 10.
/// </summary>
public sealed class PostgreSqlEventStore(PostgreSqlDatabase database) : IEventStore
{
    public Task AppendAsync(IReadOnlyList<NotificationEvent> events, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (connection, transaction) =>
            {
                await InsertAsync(connection, transaction, events, cancellationToken);
                return true;
            },
            cancellationToken);

    public Task AppendLazilyAsync(IReadOnlyList<NotificationEvent> events) =>
        database.WriteAsync(
            async (connection, transaction) =>
            {
                // The commit does not wait for its WAL flush: a crash may lose the last of these, as the contract allows.
                await connection.Command("SET LOCAL synchronous_commit = off", transaction).ExecuteAsync(CancellationToken.None);
                await InsertAsync(connection, transaction, events, CancellationToken.None);
                return true;
            },
            CancellationToken.None);

    public async Task<IReadOnlyList<OutboxEntry>> ReadAfterAsync(long position, int count, CancellationToken cancellationToken)
    {
        await PositionCommittedAsync(cancellationToken);
        return await database.ReadAsync(
            connection => connection.Command("SELECT position, body FROM events WHERE position > @after ORDER BY position LIMIT @count")
                .With("after", position)
                .With("count", (long)count)
                .ListAsync(reader => new OutboxEntry(reader.GetInt64(0), JsonSerializer.Deserialize(reader.GetString(1), EventJsonContext.Default.NotificationEvent)!), cancellationToken),
            cancellationToken);
    }

    public Task<long> CursorAsync(string endpoint, CancellationToken cancellationToken) =>
        database.ReadAsync(
            async connection => await connection.Command("SELECT position FROM event_cursors WHERE endpoint = @endpoint").With("endpoint", endpoint).ScalarAsync<long?>(cancellationToken) ?? 0,
            cancellationToken);

    // Never backwards: a server that stopped leading while its POST was under way must not undo what the next leader sent.
    public Task AdvanceAsync(string endpoint, long position, CancellationToken cancellationToken) =>
        database.WriteAsync(
            (connection, transaction) => connection.Command(
                    "INSERT INTO event_cursors (endpoint, position) VALUES (@endpoint, @position) " +
                    "ON CONFLICT (endpoint) DO UPDATE SET position = GREATEST(event_cursors.position, excluded.position)",
                    transaction)
                .With("endpoint", endpoint)
                .With("position", position)
                .ExecuteAsync(cancellationToken),
            cancellationToken);

    public Task PruneAsync(IReadOnlyList<string> endpoints, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints.Count == 0
            ? Task.CompletedTask
            : database.WriteAsync(
                (connection, transaction) => connection.Command(
                        """
                        DELETE FROM events
                        WHERE position <= (
                            SELECT coalesce(min(coalesce(c.position, 0)), 0)
                            FROM unnest(@endpoints) AS e (endpoint) LEFT JOIN event_cursors c ON c.endpoint = e.endpoint)
                        """,
                        transaction)
                    .With("endpoints", endpoints.ToArray())
                    .ExecuteAsync(cancellationToken),
                cancellationToken);
    }

    /// <summary>Writes events without positions, in the caller's transaction, in order.</summary>
    internal static async Task InsertAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<NotificationEvent> events, CancellationToken cancellationToken)
    {
        if (events.Count == 0)
        {
            return;
        }

        await connection.Command("INSERT INTO events (body) SELECT s.body FROM unnest(@bodies) WITH ORDINALITY AS s (body, n) ORDER BY s.n", transaction)
            .With("bodies", events.Select(e => JsonSerializer.Serialize(e, EventJsonContext.Default.NotificationEvent)).ToArray())
            .ExecuteAsync(cancellationToken);
    }

    /// <summary>
    /// Gives the committed events without a position the next positions, in the order they were written. One reader at
    /// a time (the counter's row is locked), and each sees only committed rows: an event committed later gets a
    /// later position, so no reader ever passes an event it has not seen.
    /// </summary>
    private async Task PositionCommittedAsync(CancellationToken cancellationToken)
    {
        var waiting = await database.ReadAsync(
            connection => connection.Command("SELECT EXISTS (SELECT 1 FROM events WHERE position IS NULL)").ScalarAsync<bool>(cancellationToken),
            cancellationToken);
        if (!waiting)
        {
            return;
        }

        await database.WriteAsync(
            async (connection, transaction) =>
            {
                var last = await connection.Command("SELECT last FROM event_positions FOR UPDATE", transaction).ScalarAsync<long>(cancellationToken);
                var positioned = await connection.Command(
                        """
                        UPDATE events e SET position = @last + w.n
                        FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM events WHERE position IS NULL) w
                        WHERE e.id = w.id
                        """,
                        transaction)
                    .With("last", last)
                    .ExecuteAsync(cancellationToken);
                await connection.Command("UPDATE event_positions SET last = @last", transaction).With("last", last + positioned).ExecuteAsync(cancellationToken);
                return positioned;
            },
            cancellationToken);
    }
}
