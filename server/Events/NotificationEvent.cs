namespace Berth.Server.Events;

/// <summary>
/// One event, in the shape of the reference registry's notifications (distribution's <c>notifications.Event</c>): what
/// happened (<see cref="Action"/>), to what (<see cref="Target"/>), for which request and caller, on which server.
/// </summary>
public sealed record NotificationEvent
{
    /// <summary>Unique to the event: a delivery made again carries the same id, by which a listener drops what it has seen.</summary>
    public required string Id { get; init; }

    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>One of <see cref="EventActions"/>.</summary>
    public required string Action { get; init; }

    public required EventTarget Target { get; init; }

    /// <summary>The request that made the change; none for work the server does on its own (a schedule).</summary>
    public EventRequest? Request { get; init; }

    public required EventActor Actor { get; init; }

    public required EventSource Source { get; init; }
}
