using System.Text.Json.Nodes;
using Berth.Server.Repositories;

namespace Berth.Server.Sync;

/// <summary>
/// A repository's sync on a schedule (Pulp 2's sync schedule of an importer): every <see cref="Interval"/> from
/// <see cref="First"/>, with an <c>override_config</c> of its own. The leading server starts each run as a sync task.
/// </summary>
/// <param name="Id">The schedule's id, a GUID's 32 hex digits.</param>
/// <param name="RepositoryId">The repository it syncs.</param>
/// <param name="ImporterTypeId">The sync importer it is a schedule of.</param>
/// <param name="Schedule">The schedule as it was written (ISO 8601, <c>[start/]duration</c>).</param>
/// <param name="First">When it first runs.</param>
/// <param name="Interval">The time between runs.</param>
/// <param name="Enabled">Whether it runs.</param>
/// <param name="OverrideConfig">The <c>override_config</c> of each sync it starts.</param>
/// <param name="NextRun">When it runs next.</param>
/// <param name="LastRunAt">When it last started a sync.</param>
/// <param name="TotalRunCount">How many syncs it has started.</param>
public sealed record SyncSchedule(
    string Id,
    RepositoryId RepositoryId,
    string ImporterTypeId,
    string Schedule,
    DateTimeOffset First,
    TimeSpan Interval,
    bool Enabled,
    JsonObject? OverrideConfig,
    DateTimeOffset NextRun,
    DateTimeOffset? LastRunAt,
    long TotalRunCount)
{
    /// <summary>The first run after <paramref name="now"/>: a whole number of intervals after <see cref="First"/>.</summary>
    public static DateTimeOffset NextAfter(DateTimeOffset first, TimeSpan interval, DateTimeOffset now) =>
        first > now ? first : first + (interval * (Math.Floor((now - first) / interval) + 1));
}
