using Berth.Server.Configuration;
using Microsoft.Extensions.Options;

namespace Berth.Server.Orphans;

/// <summary>Collects orphans every <see cref="LifecycleOptions.OrphanCollectionInterval"/>, when one is set.</summary>
public sealed class OrphanSchedule(OrphanCollector collector, IOptions<BerthOptions> options, TimeProvider clock, ILogger<OrphanSchedule> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.Lifecycle.OrphanCollectionInterval is not { } interval || interval <= TimeSpan.Zero)
        {
            return;
        }

        using var timer = new PeriodicTimer(interval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await collector.CollectAsync(null, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Scheduled orphan collection failed; it runs again in {Interval}", interval);
            }
        }
    }
}
