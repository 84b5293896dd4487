namespace Berth.Server.Uploads;

/// <summary>
/// Where the bytes of uploads' parts live when every server shares the uploads (see <see cref="SharedUploads"/>): the
/// bucket, beside the content. Which parts an upload has, and in what order, is the metadata store's to say.
/// </summary>
public interface IUploadPartStore
{
    /// <summary>Stores the bytes of a local file from <paramref name="offset"/> for <paramref name="length"/> as a part of an upload.</summary>
    Task PutAsync(UploadId upload, string name, string sourcePath, long offset, long length, CancellationToken cancellationToken);

    /// <summary>Opens a part's bytes for reading.</summary>
    /// <exception cref="FileNotFoundException">When the part is not stored.</exception>
    Task<Stream> OpenReadAsync(UploadId upload, string name, CancellationToken cancellationToken);

    /// <summary>Deletes parts of an upload; one that is not there is no error.</summary>
    Task DeleteAsync(UploadId upload, IReadOnlyCollection<string> names, CancellationToken cancellationToken);

    /// <summary>Every part stored, a page at a time: for the sweep of parts whose upload has ended.</summary>
    IAsyncEnumerable<IReadOnlyList<StoredUploadPart>> ListAsync(CancellationToken cancellationToken);
}
