using Docker.Common.Digests;

namespace Berth.Server.Content;

/// <summary>
/// Content-addressed storage of verified bytes. Callers check bytes against their digest before handing them
/// over; the store guarantees that a content path never holds partial bytes, even after a crash.
/// </summary>
public interface IContentStore
{
    /// <summary>The size of stored content, or <see langword="null"/> when there is none under the digest.</summary>
    Task<long?> SizeAsync(Digest digest, CancellationToken cancellationToken);

    /// <summary>
    /// Takes a verified local file as the content of <paramref name="digest"/>, moving it (the source is gone
    /// afterwards). When the content is already stored, the source is simply deleted.
    /// </summary>
    /// <returns>The size of the stored content.</returns>
    Task<long> ImportFileAsync(Digest digest, string sourcePath, CancellationToken cancellationToken);

    /// <summary>Stores verified bytes as the content of <paramref name="digest"/>.</summary>
    Task<long> PutAsync(Digest digest, ReadOnlyMemory<byte> content, CancellationToken cancellationToken);

    /// <summary>Opens stored content for reading, or <see langword="null"/> when there is none.</summary>
    Stream? OpenRead(Digest digest);

    /// <summary>
    /// The path of stored content on this machine's disk, so that it can be sent with the server's file path
    /// (ranges, no copies through managed buffers); <see langword="null"/> when it is not stored or not local.
    /// </summary>
    string? LocalPath(Digest digest);

    /// <summary>
    /// Deletes stored content; only orphan collection does, for content no unit names any more.
    /// </summary>
    /// <returns>The bytes freed; 0 when there was nothing stored.</returns>
    Task<long> DeleteAsync(Digest digest, CancellationToken cancellationToken);

    /// <summary>
    /// Every digest with stored content and when it was stored, in groups that share a prefix of the digest (the
    /// algorithm and the first hex digits), so that the sweep of content no unit names can ask about a group at once.
    /// </summary>
    IEnumerable<(string Prefix, IReadOnlyList<(Digest Digest, DateTimeOffset Stored)> Files)> ListByPrefix();
}
