using Berth.Server.Configuration;
using Microsoft.Extensions.Options;

namespace Berth.Server.Uploads;

/// <summary>
/// Each user's upload limits (<c>Berth:Uploads</c>) when servers share the uploads and the metadata store: counted in the
/// store (see <see cref="IUploadLimitStore"/>), so they hold for a user's requests on every server together. An upload
/// counts once it is stored: a registry session that holds nothing is stored nowhere, and is not counted until its first
/// acknowledged chunk stores it. Its bytes are reserved while a segment is written, and held by its parts once they are added.
/// </summary>
internal sealed class StoredUploadLimits(IUploadLimitStore store, IOptions<BerthOptions> options, ILogger logger)
{
    private int? MaxOpen => options.Value.Uploads.MaxOpenPerUser is > 0 and var max ? max : null;

    private long? MaxBytes => options.Value.Uploads.MaxBytesPerUser is > 0 and var max ? max : null;

    /// <summary>Refuses when <paramref name="owner"/> has as many uploads stored as allowed.</summary>
    /// <exception cref="UploadLimitException">When they have.</exception>
    public async Task RequireRoomAsync(string? owner, CancellationToken cancellationToken)
    {
        if (owner is not null && MaxOpen is { } max && await store.CountOpenAsync(owner, cancellationToken) is var open && open >= max)
        {
            throw UploadLimitException.TooManyOpen(owner, open, max, options.Value.UploadExpiry);
        }
    }

    /// <summary>Stores an upload, within its owner's limit of uploads open.</summary>
    /// <exception cref="UploadLimitException">When the owner has as many open as allowed; nothing was stored.</exception>
    public async Task CreateAsync(UploadRequest upload, CancellationToken cancellationToken)
    {
        var max = upload.Owner is null ? null : MaxOpen;
        if (await store.CreateWithinLimitAsync(upload, max ?? int.MaxValue, cancellationToken) is { } open)
        {
            throw UploadLimitException.TooManyOpen(upload.Owner!, open, max!.Value, options.Value.UploadExpiry);
        }
    }

    /// <summary>For one segment of an upload of <paramref name="owner"/> that holds <paramref name="length"/> bytes, which says it ends at <paramref name="declaredEnd"/> when it says.</summary>
    /// <exception cref="UploadLimitException">When the declared end would take the owner's uploads past the limit.</exception>
    public async ValueTask<IUploadGrowth> GrowAsync(string? owner, long length, long? declaredEnd, CancellationToken cancellationToken)
    {
        if (owner is null || MaxBytes is not { } max)
        {
            return Unlimited.Instance;
        }

        var growth = new ReservedGrowth(store, owner, length, max, logger);
        if (declaredEnd is { } end)
        {
            await growth.ReserveExactlyAsync(end, cancellationToken);
        }

        return growth;
    }

    private sealed class Unlimited : IUploadGrowth
    {
        public static readonly Unlimited Instance = new();

        public ValueTask ClaimAsync(long end, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask SettleAsync(long kept) => ValueTask.CompletedTask;
    }
}
