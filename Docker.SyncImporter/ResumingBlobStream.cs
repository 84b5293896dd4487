using System.Net;
using Berth.Plugins;
using Docker.Common.Digests;

namespace Docker.SyncImporter;

/// <summary>
/// A blob's bytes from upstream, counted into the sync's progress and cut off once they pass the size its descriptor
/// declares (an upstream cannot fill the disk with a blob that was never going to match), that survive a connection cut
/// mid-blob: the rest is asked for again with <c>Range</c> from where it broke, a few times at most; from an upstream that
/// ignores the range (200, the whole blob), what already arrived is read past. The digest check after it is what proves
/// the pieces make the blob.
/// </summary>
internal sealed class ResumingBlobStream(
    UpstreamRegistry upstream, Digest digest, long declaredSize, SyncProgress progress, HttpResponseMessage first, Stream body) : Stream
{
    private const int MostResumptions = 3;

    private HttpResponseMessage _response = first;
    private Stream _body = body;
    private long _position;
    private int _resumptions;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public static async Task<ResumingBlobStream> OpenAsync(
        UpstreamRegistry upstream, Digest digest, long declaredSize, SyncProgress progress, HttpResponseMessage response, CancellationToken cancellationToken) =>
        new(upstream, digest, declaredSize, progress, response, await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            try
            {
                var read = await _body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                _position += read;
                if (_position > declaredSize)
                {
                    throw new ContentException(
                        ContentError.DigestMismatch, $"upstream {upstream.Describe} blob {digest} sent more than the {declaredSize} bytes its descriptor declares");
                }

                progress.Downloaded(read);
                return read;
            }
            catch (Exception e) when (e is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested && _resumptions < MostResumptions)
            {
                _resumptions++;
                await ResumeAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _body.Dispose();
            _response.Dispose();
        }

        base.Dispose(disposing);
    }

    private async Task ResumeAsync(CancellationToken cancellationToken)
    {
        await _body.DisposeAsync().ConfigureAwait(false);
        _response.Dispose();
        _response = await upstream.OpenBlobAsync(digest, _position, cancellationToken).ConfigureAwait(false);
        _body = await _response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        if (_response.StatusCode != HttpStatusCode.PartialContent)
        {
            // The whole blob again: what already arrived is read past.
            var skip = new byte[81920];
            for (var left = _position; left > 0;)
            {
                var read = await _body.ReadAsync(skip.AsMemory(0, (int)Math.Min(skip.Length, left)), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new IOException($"upstream {upstream.Describe} sent blob {digest} again shorter than the {_position} bytes already received");
                }

                left -= read;
            }
        }
    }
}
