namespace Berth.Server.Uploads;

/// <summary>
/// Where upload requests are kept, and the parts of those whose bits live in the bucket (see <see cref="SharedUploads"/>);
/// the bits of the others are files in the data folder (see <see cref="Storage.DataLayout"/>).
/// </summary>
public interface IUploadRequestStore
{
    Task CreateAsync(UploadRequest upload, CancellationToken cancellationToken);

    Task<UploadRequest?> FindAsync(UploadId id, CancellationToken cancellationToken);

    Task<IReadOnlyList<UploadRequest>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Deletes an upload and the record of its parts.</summary>
    Task<bool> DeleteAsync(UploadId id, CancellationToken cancellationToken);

    /// <summary>The parts of an upload in the order they were added; none for an upload that has none or is not there.</summary>
    Task<IReadOnlyList<UploadPart>> PartsAsync(UploadId id, CancellationToken cancellationToken);

    /// <summary>
    /// Adds a part to an upload, only if the upload is still there and <see cref="UploadPart.Sequence"/> is the number of
    /// parts it has: of two servers that add a part after the same one, one wins and the other is told.
    /// </summary>
    /// <returns>Whether the part was added.</returns>
    Task<bool> AddPartAsync(UploadId id, UploadPart part, CancellationToken cancellationToken);

    /// <summary>
    /// Remembers, durably, that a session which was never stored has ended (it was cancelled), so that its id, which
    /// vouches for itself (see <see cref="SessionIds"/>), names nothing any more.
    /// </summary>
    Task RememberEndedAsync(UploadId id, DateTimeOffset opened, CancellationToken cancellationToken);

    /// <summary>Whether <see cref="RememberEndedAsync"/> was told of this session.</summary>
    Task<bool> HasEndedAsync(UploadId id, CancellationToken cancellationToken);

    /// <summary>Forgets one ended upload or session; whether it was remembered.</summary>
    Task<bool> ForgetEndedAsync(UploadId id, CancellationToken cancellationToken);

    /// <summary>Forgets the ended sessions opened before <paramref name="openedBefore"/>: their ids have expired anyway.</summary>
    Task<int> ForgetEndedAsync(DateTimeOffset openedBefore, CancellationToken cancellationToken);
}
