using System.Runtime.InteropServices;
using Berth.Plugins;
using Docker.Common.Digests;

namespace Berth.Server.Imports;

/// <summary>
/// Bits that arrived whole in one request (a manifest pushed to the registry), handed to an importer as an upload
/// so that both APIs import through the same plugin call. Bounded by the caller: manifests are at most a few MiB.
/// </summary>
internal sealed class InMemoryUpload(ReadOnlyMemory<byte> content) : IUploadedFile
{
    public string UploadId { get; } = "request-body";

    public ReadOnlyMemory<byte> Content => content;

    public long Length => content.Length;

    // Read in place: the bytes are held (and counted against the memory budget) once, by the caller.
    public Stream OpenRead() => MemoryMarshal.TryGetArray(content, out var segment)
        ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
        : new MemoryStream(content.ToArray(), writable: false);

    public bool TryGetContent(out ReadOnlyMemory<byte> content)
    {
        content = Content;
        return true;
    }

    public ValueTask<string> ComputeDigestAsync(string algorithm, CancellationToken cancellationToken)
    {
        var chosen = DigestAlgorithm.FromName(algorithm)
            ?? throw new ContentException(ContentError.DigestInvalid, $"the digest algorithm '{algorithm}' is not supported");
        return ValueTask.FromResult(Digest.Compute(content.Span, chosen).ToString());
    }
}
