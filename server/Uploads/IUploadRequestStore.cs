namespace Berth.Server.Uploads;

/// <summary>Where upload requests are kept (their bits are files, see <see cref="Storage.DataLayout"/>).</summary>
public interface IUploadRequestStore
{
    Task CreateAsync(UploadRequest upload, CancellationToken cancellationToken);

    Task<UploadRequest?> FindAsync(UploadId id, CancellationToken cancellationToken);

    Task<IReadOnlyList<UploadRequest>> ListAsync(CancellationToken cancellationToken);

    Task<bool> DeleteAsync(UploadId id, CancellationToken cancellationToken);

    /// <summary>
    /// Remembers, durably, that a session which was never stored has ended (it was cancelled), so that its id, which
    /// vouches for itself (see <see cref="SessionIds"/>), names nothing any more.
    /// </summary>
    Task RememberEndedAsync(UploadId id, DateTimeOffset opened, CancellationToken cancellationToken);

    /// <summary>Whether <see cref="RememberEndedAsync"/> was told of this session.</summary>
    Task<bool> HasEndedAsync(UploadId id, CancellationToken cancellationToken);

    /// <summary>Forgets the ended sessions opened before <paramref name="openedBefore"/>: their ids have expired anyway.</summary>
    Task<int> ForgetEndedAsync(DateTimeOffset openedBefore, CancellationToken cancellationToken);
}
