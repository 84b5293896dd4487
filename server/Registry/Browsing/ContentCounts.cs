namespace Berth.Server.Registry.Browsing;

/// <summary>How much of each kind a repository holds: tags, manifests (images and lists) and blobs.</summary>
public sealed record ContentCounts(long Tags, long Manifests, long Blobs);
