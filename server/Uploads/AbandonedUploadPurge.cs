using Berth.Server.Configuration;
using Berth.Server.Hosting;
using Berth.Server.Scheduling;
using Microsoft.Extensions.Options;

namespace Berth.Server.Uploads;

/// <summary>
/// Purges uploads that clients abandoned (a push that died half-way, a script that never imported), so that
/// their bytes do not fill the disk. Runs every <see cref="BerthOptions.UploadPurgeInterval"/>.
/// </summary>
internal sealed class AbandonedUploadPurge(Deferred<UploadService> uploads, IOptions<BerthOptions> options, ILeadership leadership, TimeProvider clock, ILogger<AbandonedUploadPurge> logger)
    : ScheduledWork(leadership, clock, logger)
{
    protected override string Name => "purge of abandoned uploads";

    // Every server purges what it holds alone (sessions it never stored, its copies of shared uploads); stored uploads are
    // purged by the leader when they are shared (in the bucket), and by each server when their bytes are its own files.
    protected override bool LeaderOnly => false;

    protected override TimeSpan? Interval => options.Value.UploadPurgeInterval;

    protected override Task RunOnceAsync(CancellationToken cancellationToken) => uploads.Value.PurgeAbandonedAsync(options.Value.UploadExpiry, stored: !uploads.Value.Shared || IsLeader, cancellationToken);
}
