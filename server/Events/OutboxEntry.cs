namespace Berth.Server.Events;

/// <summary>An event as the outbox holds it: at its position, which orders events and marks how far an endpoint got.</summary>
public sealed record OutboxEntry(long Position, NotificationEvent Event);
