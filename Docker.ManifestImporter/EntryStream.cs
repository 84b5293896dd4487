namespace Docker.ManifestImporter;

/// <summary>
/// One archive entry's data, read in place from the archive: at most <c>length</c> bytes from where the archive
/// stream stands, which the caller moves on past afterwards. Disposing it leaves the archive stream open.
/// </summary>
internal sealed class EntryStream(Stream archive, long length) : Stream
{
    private readonly long _length = length;
    private long _remaining = length;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => _length;

    public override long Position
    {
        get => _length - _remaining;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = archive.Read(buffer[..(int)Math.Min(buffer.Length, _remaining)]);
        return Advance(read, buffer.Length);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await archive.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _remaining)], cancellationToken).ConfigureAwait(false);
        return Advance(read, buffer.Length);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private int Advance(int read, int asked)
    {
        if (read == 0 && _remaining > 0 && asked > 0)
        {
            // The walk checked every entry against the upload's length, and an upload cannot change during its import.
            throw TarWalker.Invalid("the archive ends inside an entry");
        }

        _remaining -= read;
        return read;
    }
}
