using System.Diagnostics;

namespace Berth.Server.Uploads;

/// <summary>
/// The growth of one segment held by a reservation in the shared store (see <see cref="StoredUploadLimits"/>). A segment
/// that declares its length reserves exactly that before a byte is read. One that does not reserves ahead in blocks as
/// it passes its reservation, so that a round trip to the store is made every <see cref="Block"/> bytes rather than for
/// every read; near the limit a block is what is left. The reservation is renewed while the segment lasts, and dropped
/// when it ends: what the segment kept is then held by its upload's part.
/// </summary>
internal sealed class ReservedGrowth(IUploadLimitStore store, string owner, long length, long maxBytes, ILogger logger) : IUploadGrowth
{
    /// <summary>How far a segment without a declared length reserves ahead.</summary>
    internal const long Block = 16 * 1024 * 1024;

    // A reservation outlives a server that stopped by this much at most; a live segment renews its own well before.
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan Renewal = TimeSpan.FromMinutes(1);

    private readonly Guid _id = Guid.NewGuid();
    private readonly long _length = length;
    private long _reservedEnd = length;
    private long _renewed;
    private bool _made;

    /// <summary>Reserves up to <paramref name="end"/> and no further: a segment that declares its length.</summary>
    /// <exception cref="UploadLimitException">When the owner's uploads would hold more than allowed.</exception>
    public ValueTask ReserveExactlyAsync(long end, CancellationToken cancellationToken) =>
        end > _reservedEnd ? ReserveAsync(end, end, cancellationToken) : ValueTask.CompletedTask;

    public ValueTask ClaimAsync(long end, CancellationToken cancellationToken)
    {
        if (end > _reservedEnd)
        {
            return ReserveAsync(end, end + Block, cancellationToken);
        }

        // A long segment keeps its reservation alive; it was made by this segment, so the store grants it again unless it lapsed.
        return _made && Stopwatch.GetElapsedTime(_renewed) > Renewal ? ReserveAsync(_reservedEnd, _reservedEnd, cancellationToken) : ValueTask.CompletedTask;
    }

    public async ValueTask SettleAsync(long kept)
    {
        if (!_made)
        {
            return;
        }

        _made = false;
        try
        {
            await store.ReleaseAsync(_id, CancellationToken.None);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // It lapses on its own: until then it counts against the owner, which only errs towards refusing.
            logger.LogWarning(e, "The reservation of {Owner}'s segment stays until it expires in {Lifetime}", owner, Lifetime);
        }
    }

    private async ValueTask ReserveAsync(long atLeastEnd, long wantedEnd, CancellationToken cancellationToken)
    {
        var reservation = await store.ReserveAsync(_id, owner, atLeastEnd - _length, wantedEnd - _length, maxBytes, Lifetime, cancellationToken);
        if (reservation.Reserved is not { } reserved)
        {
            throw UploadLimitException.TooManyBytes(owner, reservation.Held, maxBytes);
        }

        _made = true;
        _reservedEnd = _length + reserved;
        _renewed = Stopwatch.GetTimestamp();
    }
}
