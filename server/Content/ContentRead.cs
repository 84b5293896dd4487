namespace Berth.Server.Content;

/// <summary>
/// Stored content opened for reading: <see cref="Length"/> bytes (the range asked for, or all of it) from
/// <see cref="Stream"/>, which may go on past them (a file read from an offset): read no more than that.
/// </summary>
public sealed class ContentRead(Stream stream, long length) : IAsyncDisposable, IDisposable
{
    public Stream Stream { get; } = stream;

    public long Length { get; } = length;

    public ValueTask DisposeAsync() => Stream.DisposeAsync();

    public void Dispose() => Stream.Dispose();
}
