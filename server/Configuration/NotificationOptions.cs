namespace Berth.Server.Configuration;

/// <summary>Where events go (<c>Berth:Notifications</c>): none by default, and then none are written.</summary>
public sealed class NotificationOptions
{
    public const string Section = "Notifications";

    /// <summary>The listeners, each with its own order, cursor and retries.</summary>
    public List<NotificationEndpointOptions> Endpoints { get; set; } = [];
}
