namespace Berth.Plugins;

/// <summary>One thing a sync is asked to bring, rather than what its configuration selects: a manifest, and the name to give it.</summary>
/// <param name="Digest">The manifest's digest, as the feed served it.</param>
/// <param name="Name">The name (tag) to point at it, or <see langword="null"/> for none.</param>
public sealed record SyncTarget(string Digest, string? Name);
