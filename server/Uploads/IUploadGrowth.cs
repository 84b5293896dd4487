namespace Berth.Server.Uploads;

/// <summary>
/// The bytes one segment adds to its upload, claimed against its owner's byte limit as the upload's end moves past what
/// it held, before they are written, and settled once the segment is over.
/// </summary>
internal interface IUploadGrowth
{
    /// <summary>Claims the bytes up to <paramref name="end"/>.</summary>
    /// <exception cref="UploadLimitException">When the owner's uploads would hold more than allowed.</exception>
    ValueTask ClaimAsync(long end, CancellationToken cancellationToken);

    /// <summary>Gives back what was claimed beyond the length the upload kept, <paramref name="kept"/>; never throws.</summary>
    ValueTask SettleAsync(long kept);
}
