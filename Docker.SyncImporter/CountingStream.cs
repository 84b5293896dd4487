using Berth.Plugins;

namespace Docker.SyncImporter;

/// <summary>
/// A blob's bytes as the upstream streams them, counted into the progress and cut off once they pass the size its
/// descriptor declares, so that an upstream cannot fill the disk with a blob that was never going to match.
/// </summary>
internal sealed class CountingStream(Stream inner, long declaredSize, string what, SyncProgress progress) : Stream
{
    private long _read;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => _read; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Counted(inner.Read(buffer, offset, count));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Counted(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

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
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private int Counted(int read)
    {
        _read += read;
        if (_read > declaredSize)
        {
            throw new ContentException(
                ContentError.DigestMismatch, $"{what} sent more than the {declaredSize} bytes its descriptor declares");
        }

        progress.Downloaded(read);
        return read;
    }
}
