using Berth.Server.Configuration;
using Berth.Server.Hosting;
using Berth.Server.Scheduling;
using Microsoft.Extensions.Options;

namespace Berth.Server.Orphans;

/// <summary>Collects orphans every <see cref="LifecycleOptions.OrphanCollectionInterval"/>, when one is set.</summary>
public sealed class OrphanSchedule(Deferred<OrphanCollector> collector, IOptions<BerthOptions> options, ILeadership leadership, TimeProvider clock, ILogger<OrphanSchedule> logger)
    : ScheduledWork(leadership, clock, logger)
{
    protected override string Name => "orphan collection";

    protected override TimeSpan? Interval => options.Value.Lifecycle.OrphanCollectionInterval;

    protected override Task RunOnceAsync(CancellationToken cancellationToken) => collector.Value.CollectAsync(null, olderThan: null, cancellationToken);
}
