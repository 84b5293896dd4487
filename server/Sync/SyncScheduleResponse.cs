using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Berth.Server.Plugins;

namespace Berth.Server.Sync;

/// <summary>A sync schedule as Pulp 2 shows one.</summary>
public sealed record SyncScheduleResponse(
    [property: JsonPropertyName("_id")] string Id,
    [property: JsonPropertyName("_href")] string Href,
    string Schedule,
    bool Enabled,
    DateTimeOffset FirstRun,
    DateTimeOffset NextRun,
    DateTimeOffset? LastRunAt,
    long TotalRunCount,
    JsonObject OverrideConfig)
{
    public static SyncScheduleResponse From(SyncSchedule schedule, PluginCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(catalog);
        return new SyncScheduleResponse(
            schedule.Id,
            ContentApi.SyncScheduleHref(schedule.RepositoryId.Value, schedule.ImporterTypeId, schedule.Id),
            schedule.Schedule,
            schedule.Enabled,
            schedule.First,
            schedule.NextRun,
            schedule.LastRunAt,
            schedule.TotalRunCount,
            catalog.ShownConfig(schedule.ImporterTypeId, schedule.OverrideConfig ?? []));
    }
}
