using Berth.Server.Configuration;
using Berth.Server.Hosting;
using Berth.Server.Scheduling;
using Microsoft.Extensions.Options;

namespace Berth.Server.Sync;

/// <summary>Looks for due sync schedules every <see cref="TaskOptions.ScheduleCheckInterval"/>, on the leading server.</summary>
public sealed class SyncScheduleRunner(
    Deferred<SyncScheduleService> schedules, IOptions<BerthOptions> options, ILeadership leadership, TimeProvider clock, ILogger<SyncScheduleRunner> logger)
    : ScheduledWork(leadership, clock, logger)
{
    protected override string Name => "sync schedules";

    protected override TimeSpan? Interval => options.Value.Tasks.ScheduleCheckInterval;

    protected override Task RunOnceAsync(CancellationToken cancellationToken) => schedules.Value.RunDueAsync(cancellationToken);
}
