using Docker.Common.Digests;

namespace Berth.Server.Content;

/// <summary>
/// Content-addressed storage of verified bytes, wherever they live (a folder, a bucket). Callers check bytes against
/// their digest before handing them over; the store guarantees that content under a digest is never partial, even
/// after a crash, so whatever it lists or serves under a digest is whole.
/// </summary>
public interface IContentStore
{
    /// <summary>The size of stored content, or <see langword="null"/> when there is none under the digest.</summary>
    Task<long?> SizeAsync(Digest digest, CancellationToken cancellationToken);

    /// <summary>
    /// Takes a verified local file as the content of <paramref name="digest"/> (the source is gone afterwards, moved or
    /// copied). When the content is already stored, the source is simply deleted.
    /// </summary>
    /// <returns>The size of the stored content.</returns>
    Task<long> ImportFileAsync(Digest digest, string sourcePath, CancellationToken cancellationToken);

    /// <summary>
    /// Takes a copy of a verified local file as the content of <paramref name="digest"/>, leaving the file in place
    /// (moving a data folder's content elsewhere). When the content is already stored, nothing is copied.
    /// </summary>
    /// <returns>The size of the stored content.</returns>
    Task<long> CopyFileAsync(Digest digest, string sourcePath, CancellationToken cancellationToken);

    /// <summary>Stores verified bytes as the content of <paramref name="digest"/>.</summary>
    Task<long> PutAsync(Digest digest, ReadOnlyMemory<byte> content, CancellationToken cancellationToken);

    /// <summary>
    /// Opens stored content, or the part of it <paramref name="range"/> names, for reading; <see langword="null"/> when
    /// there is none. The range must lie within the content (callers know its size from the unit).
    /// </summary>
    Task<ContentRead?> OpenReadAsync(Digest digest, ByteRange? range, CancellationToken cancellationToken);

    /// <summary>
    /// An address a client may fetch the content from itself for a while (a presigned URL), so that its bytes need not
    /// pass through the server; <see langword="null"/> when the store has none or is set to serve through the server.
    /// Computed without asking the store whether the content is there.
    /// </summary>
    Uri? DirectUrl(Digest digest);

    /// <summary>
    /// Deletes stored content; only orphan collection does, for content no unit names any more.
    /// </summary>
    /// <returns>The bytes freed; 0 when there was nothing stored.</returns>
    Task<long> DeleteAsync(Digest digest, CancellationToken cancellationToken);

    /// <summary>
    /// Everything stored, a page at a time in the store's order, including what is not named by a digest (a stray
    /// file): for the sweep of content no unit names and for verification, which never hold the whole listing.
    /// </summary>
    IAsyncEnumerable<IReadOnlyList<ContentEntry>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Whether the store can take content now, and how much room is left when that is known: for status and readiness.</summary>
    Task<ContentStoreProbe> ProbeAsync(CancellationToken cancellationToken);
}
