using Docker.Common.Digests;

namespace Berth.Cli.Images;

/// <summary>
/// What an image folder or archive holds, read and checked for completeness but not yet hashed: manifests in the
/// order they can be imported (a list after its manifests), the file of every blob, the tags to set last, and
/// what was found but will not be uploaded (signatures).
/// </summary>
public sealed record LocalImageSet(
    string Format,
    IReadOnlyList<LocalManifest> Manifests,
    IReadOnlyDictionary<Digest, string> BlobFiles,
    IReadOnlyList<(string Tag, Digest Manifest)> Tags,
    IReadOnlyList<string> Skipped);
