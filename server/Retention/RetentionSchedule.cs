using Berth.Server.Configuration;
using Berth.Server.Hosting;
using Berth.Server.Scheduling;
using Microsoft.Extensions.Options;

namespace Berth.Server.Retention;

/// <summary>Applies every repository's retention policy every <see cref="LifecycleOptions.RetentionInterval"/>.</summary>
public sealed class RetentionSchedule(Deferred<RetentionService> retention, IOptions<BerthOptions> options, ILeadership leadership, TimeProvider clock, ILogger<RetentionSchedule> logger)
    : ScheduledWork(leadership, clock, logger)
{
    protected override string Name => "retention";

    protected override TimeSpan? Interval => options.Value.Lifecycle.RetentionInterval;

    protected override Task RunOnceAsync(CancellationToken cancellationToken) => retention.Value.ApplyAllAsync(cancellationToken);
}
