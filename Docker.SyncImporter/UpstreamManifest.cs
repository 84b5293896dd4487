using Docker.Common.Digests;

namespace Docker.SyncImporter;

/// <summary>A manifest, list or index as the upstream served it: its exact bytes, their digest and the media type it said.</summary>
internal sealed record UpstreamManifest(byte[] Bytes, Digest Digest, string? ContentType);
