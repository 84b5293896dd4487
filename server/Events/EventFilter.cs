using Berth.Plugins;
using Berth.Server.Configuration;

namespace Berth.Server.Events;

/// <summary>Which events one endpoint takes: by action (exact names) and repository (names or <c>*</c>/<c>?</c> patterns).</summary>
public sealed class EventFilter(NotificationEndpointOptions endpoint)
{
    public bool Wants(string action, string? repository) =>
        (endpoint.Actions.Count == 0 || endpoint.Actions.Contains(action, StringComparer.Ordinal)) &&
        (endpoint.Repositories.Count == 0 || (repository is not null && endpoint.Repositories.Any(pattern => GlobPattern.IsMatch(pattern, repository))));

    public bool Wants(NotificationEvent notification)
    {
        ArgumentNullException.ThrowIfNull(notification);
        return Wants(notification.Action, notification.Target.Repository);
    }
}
