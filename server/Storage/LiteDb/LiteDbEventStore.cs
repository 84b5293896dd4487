using Berth.Server.Events;
using LiteDB;

namespace Berth.Server.Storage.LiteDb;

/// <summary>
/// The outbox in LiteDB: events under their position (<c>_id</c>, one sequence for every writer), cursors by endpoint.
/// <see cref="LiteDbUnitOfWorkStore"/> appends a work's events through <see cref="Append"/>, inside its transaction.
/// </summary>
public sealed class LiteDbEventStore(LiteDbDatabase database) : IEventStore
{
    private static readonly string[] Changes = [LiteDbDatabase.Events];
    private static readonly string[] CursorChanges = [LiteDbDatabase.EventCursors];
    private static readonly string[] PruneChanges = [LiteDbDatabase.Events, LiteDbDatabase.EventCursors];

    // Positions grow with every event appended. Only writes append, and the database runs one write at a time, so the
    // counter needs no lock of its own; a batch rolled back leaves a gap, which orders nothing wrongly.
    private long _last = -1;

    public Task AppendAsync(IReadOnlyList<NotificationEvent> events, CancellationToken cancellationToken) =>
        database.WriteAsync(Changes, db => Append(db, events));

    public Task AppendLazilyAsync(IReadOnlyList<NotificationEvent> events) =>
        database.WriteWithoutWaitingForDiskAsync(Changes, db => Append(db, events));

    public async Task<IReadOnlyList<OutboxEntry>> ReadAfterAsync(long position, int count, CancellationToken cancellationToken)
    {
        var read = database.Read(db => db.GetCollection(LiteDbDatabase.Events)
            .Query()
            .Where(Query.GT("_id", position))
            .OrderBy("$._id")
            .Limit(count)
            .ToEnumerable()
            .Select(d => new OutboxEntry(d["_id"].AsInt64, System.Text.Json.JsonSerializer.Deserialize(d["body"].AsString, EventJsonContext.Default.NotificationEvent)!))
            .ToList());

        // A reader sees commits before their flush: the events of a push that is not acknowledged yet, which a crash
        // would take back. They are handed out only once durable, so no listener hears of a change that then is lost.
        if (read.Count > 0)
        {
            await database.CommittedDurableAsync().WaitAsync(cancellationToken);
        }

        return read;
    }

    public Task<long> CursorAsync(string endpoint, CancellationToken cancellationToken) =>
        Task.FromResult(database.Read(db => Cursor(db, endpoint)));

    public Task AdvanceAsync(string endpoint, long position, CancellationToken cancellationToken) =>
        database.WriteAsync(CursorChanges, db => db.GetCollection(LiteDbDatabase.EventCursors)
            .Upsert(new BsonDocument { ["_id"] = endpoint, ["position"] = position }));

    public Task PruneAsync(IReadOnlyList<string> endpoints, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return database.WriteAsync(PruneChanges, db =>
        {
            var passed = endpoints.Count == 0 ? 0 : endpoints.Min(e => Cursor(db, e));
            return passed > 0 ? db.GetCollection(LiteDbDatabase.Events).DeleteMany(Query.LTE("_id", passed)) : 0;
        });
    }

    /// <summary>Appends events at the next positions, in the writer's transaction.</summary>
    internal int Append(LiteDatabase db, IReadOnlyList<NotificationEvent> events)
    {
        var collection = db.GetCollection(LiteDbDatabase.Events);
        if (_last < 0)
        {
            // Never below a cursor: after every event was pruned, positions must not start again under one.
            var cursors = db.GetCollection(LiteDbDatabase.EventCursors);
            _last = Math.Max(
                collection.Count() == 0 ? 0 : collection.Max().AsInt64,
                cursors.Count() == 0 ? 0 : cursors.Max("$.position").AsInt64);
        }

        foreach (var notification in events)
        {
            collection.Insert(new BsonDocument
            {
                ["_id"] = ++_last,
                ["body"] = System.Text.Json.JsonSerializer.Serialize(notification, EventJsonContext.Default.NotificationEvent),
            });
        }

        return events.Count;
    }

    private static long Cursor(LiteDatabase db, string endpoint) =>
        db.GetCollection(LiteDbDatabase.EventCursors).FindById(endpoint)?["position"].AsInt64 ?? 0;
}
