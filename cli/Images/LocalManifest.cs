using Docker.Common.Digests;

namespace Berth.Cli.Images;

/// <summary>A manifest or list found on disk: its file, and what it needs (blobs, or the manifests of a list).</summary>
public sealed record LocalManifest(Digest Digest, string Path, bool IsList, IReadOnlyList<Digest> Blobs, IReadOnlyList<Digest> Manifests);
