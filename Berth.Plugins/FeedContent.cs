namespace Berth.Plugins;

/// <summary>Bits arriving from a feed, with the length the feed announced; disposing it ends the download.</summary>
public sealed class FeedContent(Stream content, long length) : IAsyncDisposable
{
    /// <summary>The bits, read once, in order.</summary>
    public Stream Content { get; } = content ?? throw new ArgumentNullException(nameof(content));

    /// <summary>How many bytes the feed announced.</summary>
    public long Length { get; } = length;

    /// <inheritdoc />
    public ValueTask DisposeAsync() => Content.DisposeAsync();
}
