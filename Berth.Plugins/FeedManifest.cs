namespace Berth.Plugins;

/// <summary>A manifest as a feed served it.</summary>
/// <param name="Bytes">Its exact bytes, which hash to <paramref name="Digest"/>.</param>
/// <param name="Digest">Its digest, <c>algorithm:hex</c>.</param>
/// <param name="MediaType">Its media type, as the document says it or the feed served it.</param>
public sealed record FeedManifest(ReadOnlyMemory<byte> Bytes, string Digest, string MediaType);
