using Berth.Server.Configuration;
using Microsoft.Extensions.Options;

namespace Berth.Server.Uploads;

/// <summary>
/// Purges uploads that clients abandoned (a push that died half-way, a script that never imported), so that
/// their bytes do not fill the disk. Runs every <see cref="BerthOptions.UploadPurgeInterval"/>.
/// </summary>
internal sealed class AbandonedUploadPurge(UploadService uploads, IOptions<BerthOptions> options, TimeProvider clock, ILogger<AbandonedUploadPurge> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.UploadPurgeInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await uploads.PurgeAbandonedAsync(options.Value.UploadExpiry, stoppingToken);
            }
            catch (Exception e) when (e is IOException or LiteDB.LiteException or UnauthorizedAccessException)
            {
                // A failed round is tried again at the next tick; it must not stop the purging for good.
                logger.LogWarning(e, "Purging abandoned uploads failed");
            }
        }
    }
}
