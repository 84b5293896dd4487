using System.Diagnostics;
using Berth.Plugins;
using Berth.Server.Diagnostics;
using Docker.Common.Digests;

namespace Berth.Server.Uploads;

/// <summary>An upload as an importer sees it, while the import holds the upload's gate.</summary>
internal sealed class UploadedFile(UploadId id, string path, long length, UploadSession session) : IUploadedFile
{
    public string UploadId => id.Value;

    public string Path => path;

    public long Length => length;

    /// <summary>Whether the bits have left the upload, moved into content storage by the import.</summary>
    public bool IsConsumed => !File.Exists(path);

    public Stream OpenRead() => new FileStream(path, new FileStreamOptions
    {
        Mode = FileMode.Open,
        Access = FileAccess.Read,
        Share = FileShare.Read,
        BufferSize = 0,
        Options = FileOptions.SequentialScan,
    });

    public bool TryGetContent(out ReadOnlyMemory<byte> content)
    {
        content = default;
        return false;
    }

    public async ValueTask<string> ComputeDigestAsync(string algorithm, CancellationToken cancellationToken)
    {
        var chosen = DigestAlgorithm.FromName(algorithm)
            ?? throw new ContentException(ContentError.DigestInvalid, $"the digest algorithm '{algorithm}' is not supported");
        if (chosen == DigestAlgorithm.Sha256 && session.Sha256 is { } running && running.Length == length)
        {
            return running.Current().ToString();
        }

        var calculator = new DigestCalculator(chosen);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var stream = OpenRead();
            await using (stream.ConfigureAwait(false))
            {
                await calculator.AppendAsync(stream, cancellationToken).ConfigureAwait(false);
            }

            var digest = calculator.Current().ToString();
            ServerMetrics.Hashing.RecordSince(started);
            if (chosen == DigestAlgorithm.Sha256)
            {
                // Keep it: a retried import need not read the file again, and later segments can extend it.
                session.ReplaceSha256(calculator);
                calculator = null;
            }

            return digest;
        }
        finally
        {
            calculator?.Dispose();
        }
    }
}
