namespace Berth.Plugins;

/// <summary>Bits that are in content storage, verified against their digest.</summary>
/// <param name="Digest">The digest, as <c>algorithm:hex</c>.</param>
/// <param name="Size">The size in bytes.</param>
public sealed record StoredContent(string Digest, long Size);
