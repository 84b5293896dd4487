using Berth.Server.Configuration;
using Microsoft.Extensions.Options;

namespace Berth.Server.Retention;

/// <summary>Applies every repository's retention policy every <see cref="LifecycleOptions.RetentionInterval"/>.</summary>
public sealed class RetentionSchedule(RetentionService retention, IOptions<BerthOptions> options, TimeProvider clock, ILogger<RetentionSchedule> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.Lifecycle.RetentionInterval is not { } interval || interval <= TimeSpan.Zero)
        {
            return;
        }

        using var timer = new PeriodicTimer(interval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await retention.ApplyAllAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Scheduled retention failed; it runs again in {Interval}", interval);
            }
        }
    }
}
