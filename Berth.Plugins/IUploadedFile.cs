namespace Berth.Plugins;

/// <summary>
/// The bits of an upload request, held by the server for the duration of one import. No segment can be
/// written to it while the import runs.
/// </summary>
public interface IUploadedFile
{
    /// <summary>The upload request's id.</summary>
    string UploadId { get; }

    /// <summary>How many bytes the upload holds.</summary>
    long Length { get; }

    /// <summary>Opens the bits for reading; the caller disposes the stream.</summary>
    Stream OpenRead();

    /// <summary>
    /// The bits, when the server already holds them in memory (a manifest pushed to the registry arrives whole with
    /// its request): an importer that reads a document whole then needs no copy of its own. Uploads kept on disk
    /// answer <see langword="false"/>; read them with <see cref="OpenRead"/>.
    /// </summary>
    /// <param name="content">The bits, valid for the duration of the import.</param>
    bool TryGetContent(out ReadOnlyMemory<byte> content);

    /// <summary>
    /// Computes the digest of the bits with the named algorithm (<c>sha256</c> or <c>sha512</c>) and returns it
    /// as <c>algorithm:hex</c>. When the segments arrived in order the server has hashed them on arrival and
    /// answers without reading the file again.
    /// </summary>
    /// <exception cref="ContentException">With <see cref="ContentError.DigestInvalid"/> for an unsupported algorithm.</exception>
    ValueTask<string> ComputeDigestAsync(string algorithm, CancellationToken cancellationToken);
}
