using Docker.Common.Digests;

namespace Berth.Cli.Images;

/// <summary>
/// What <c>skopeo copy ... dir:PATH</c> writes: a <c>version</c> file, <c>manifest.json</c> (a list when copied with
/// <c>--all</c>, its manifests beside it as <c>HEX.manifest.json</c>), blobs named by their hex digest, signatures.
/// </summary>
public static class SkopeoDirReader
{
    public const string Format = "skopeo dir:";

    public static bool Recognises(string path) =>
        Directory.Exists(path) && File.Exists(System.IO.Path.Combine(path, "manifest.json")) && SkopeoDirVersion.IsIn(path);

    public static LocalImageSet Read(string folder, string? tag, ICollection<Digest> absentManifests)
    {
        ArgumentNullException.ThrowIfNull(absentManifests);
        var top = System.IO.Path.Combine(folder, "manifest.json");
        var digest = Digest.Compute(File.ReadAllBytes(top));
        var walker = new ManifestWalker(d => File.Exists(InstancePath(folder, d)) ? InstancePath(folder, d) : null);
        walker.Add(digest, top, absentManifests);
        var blobs = walker.Blobs.ToDictionary(d => d, d => BlobPath(folder, d));
        var skipped = Directory.EnumerateFiles(folder)
            .Select(System.IO.Path.GetFileName)
            .Where(name => name!.Contains("signature-", StringComparison.Ordinal))
            .Select(name => $"{name} (a signature: not uploaded)")
            .ToList();
        return new LocalImageSet(Format, walker.Ordered, blobs, tag is null ? [] : [(tag, digest)], skipped!);
    }

    /// <summary>A blob's file: the hex digest for sha256, ALG-HEX for others (directory transport 1.1).</summary>
    private static string BlobPath(string folder, Digest digest) =>
        System.IO.Path.Combine(folder, digest.Algorithm == DigestAlgorithm.Sha256 ? digest.Encoded : $"{digest.Algorithm.Name}-{digest.Encoded}");

    private static string InstancePath(string folder, Digest digest) => System.IO.Path.Combine(folder, $"{digest.Encoded}.manifest.json");
}
