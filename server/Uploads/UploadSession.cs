using Docker.Common.Digests;

namespace Berth.Server.Uploads;

/// <summary>
/// What the server holds in memory for an upload it has seen since it started: a gate that lets one segment
/// write or one import at a time touch the upload, and the running SHA-256 of its bytes while they arrived in
/// order. After a restart the hash is gone and the import reads the file once.
/// </summary>
internal sealed class UploadSession : IDisposable
{
    public SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>
    /// Whether the upload's file is known to be named durably in the uploads folder (its folder synced since the file was
    /// made); written with the gate held.
    /// </summary>
    public bool Named { get; set; }

    /// <summary>
    /// For an upload shared by every server (see <see cref="SharedUploads"/>): the parts its local copy holds, in order;
    /// <see langword="null"/> when the local copy cannot be trusted and must be rebuilt from the bucket. Written with the gate held.
    /// </summary>
    public IReadOnlyList<UploadPart>? Parts { get; set; }

    /// <summary>How long the local copy of a shared upload is known to be: its parts' extent, or more after a segment not yet a part.</summary>
    public long LocalLength { get; set; }

    /// <summary>The SHA-256 of the upload's first <see cref="DigestCalculator.Length"/> bytes, when known.</summary>
    public DigestCalculator? Sha256 { get; private set; }

    public void ReplaceSha256(DigestCalculator? calculator)
    {
        if (!ReferenceEquals(calculator, Sha256))
        {
            Sha256?.Dispose();
        }

        Sha256 = calculator;
    }

    public void Dispose()
    {
        Sha256?.Dispose();
        Gate.Dispose();
    }
}
