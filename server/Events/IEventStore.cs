namespace Berth.Server.Events;

/// <summary>
/// The outbox: events in the order they were written, each endpoint's cursor in it, and what every endpoint has passed
/// pruned. Events that report a change are written by <see cref="Storage.IUnitOfWorkStore.CommitAsync"/>, in the
/// change's own transaction (in a SQL store: one more INSERT in it); the ones here stand alone.
/// </summary>
public interface IEventStore
{
    /// <summary>Appends events that report no change of their own, durable before it returns (orphan collection).</summary>
    Task AppendAsync(IReadOnlyList<NotificationEvent> events, CancellationToken cancellationToken);

    /// <summary>
    /// Appends events as soon as the writer takes them, without waiting for them to be durable (pulls: many, and
    /// reporting no change); a crash may lose the last moments of them.
    /// </summary>
    Task AppendLazilyAsync(IReadOnlyList<NotificationEvent> events);

    /// <summary>
    /// At most <paramref name="count"/> events after <paramref name="position"/>, in order, each durable before it is
    /// returned: an event is sent only when a crash can no longer take back the change it reports.
    /// </summary>
    Task<IReadOnlyList<OutboxEntry>> ReadAfterAsync(long position, int count, CancellationToken cancellationToken);

    /// <summary>How far the endpoint got: the position of the last event it took, or 0.</summary>
    Task<long> CursorAsync(string endpoint, CancellationToken cancellationToken);

    /// <summary>Moves the endpoint's cursor to <paramref name="position"/>, durable before it returns.</summary>
    Task AdvanceAsync(string endpoint, long position, CancellationToken cancellationToken);

    /// <summary>Deletes the events that every one of <paramref name="endpoints"/> has passed.</summary>
    Task PruneAsync(IReadOnlyList<string> endpoints, CancellationToken cancellationToken);
}
