namespace Berth.Server.Uploads;

/// <summary>Where upload requests are kept (their bits are files, see <see cref="Storage.DataLayout"/>).</summary>
public interface IUploadRequestStore
{
    Task CreateAsync(UploadRequest upload, CancellationToken cancellationToken);

    Task<UploadRequest?> FindAsync(UploadId id, CancellationToken cancellationToken);

    Task<IReadOnlyList<UploadRequest>> ListAsync(CancellationToken cancellationToken);

    Task<bool> DeleteAsync(UploadId id, CancellationToken cancellationToken);
}
