namespace Berth.Server.Events;

/// <summary>What one delivery POSTs: a few events, in the order they happened.</summary>
public sealed record EventEnvelope(IReadOnlyList<NotificationEvent> Events)
{
    /// <summary>The reference registry's media type for it.</summary>
    public const string MediaType = "application/vnd.docker.distribution.events.v2+json";
}
