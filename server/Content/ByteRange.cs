namespace Berth.Server.Content;

/// <summary>A part of stored content: <see cref="Length"/> bytes from <see cref="Offset"/>.</summary>
public readonly record struct ByteRange(long Offset, long Length)
{
    /// <summary>The last byte's offset, as HTTP's ranges and Content-Range count.</summary>
    public long Last => Offset + Length - 1;
}
