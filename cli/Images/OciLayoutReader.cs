using System.Text.Json;
using System.Text.Json.Nodes;
using Docker.Common.Digests;

namespace Berth.Cli.Images;

/// <summary>
/// An OCI image layout folder: <c>oci-layout</c>, <c>index.json</c> naming each image (tag in the annotation
/// <c>org.opencontainers.image.ref.name</c>), everything else under <c>blobs/ALG/HEX</c>.
/// </summary>
public static class OciLayoutReader
{
    public const string Format = "OCI layout";
    private const string RefName = "org.opencontainers.image.ref.name";

    public static bool Recognises(string path) =>
        Directory.Exists(path) && File.Exists(Path.Combine(path, "oci-layout")) && File.Exists(Path.Combine(path, "index.json"));

    /// <param name="folder">The layout's folder.</param>
    /// <param name="onlyRef">Only the image with this ref name; every image when null.</param>
    /// <param name="tag">The tag to give the one image uploaded, instead of its ref name.</param>
    /// <param name="absentManifests">Collects manifests of lists that the layout does not hold.</param>
    public static LocalImageSet Read(string folder, string? onlyRef, string? tag, ICollection<Digest> absentManifests)
    {
        var walker = new ManifestWalker(d => File.Exists(BlobPath(folder, d)) ? BlobPath(folder, d) : null);
        var tags = new List<(string, Digest)>();
        var images = Images(folder).Where(i => onlyRef is null || i.RefName == onlyRef).ToList();
        if (images.Count == 0)
        {
            throw CliException.Usage(onlyRef is null ? $"{folder}/index.json names no image" : $"{folder}/index.json has no image named {onlyRef}");
        }

        if (tag is not null && images.Count > 1)
        {
            throw CliException.Usage($"--tag names one image, but {folder} holds {images.Count}: choose one with --ref");
        }

        foreach (var (digest, refName) in images)
        {
            var path = BlobPath(folder, digest);
            if (!File.Exists(path))
            {
                throw CliException.Usage($"{folder}/index.json names {digest}, but {path} is missing");
            }

            walker.Add(digest, path, absentManifests);
            if ((tag ?? TagOf(refName)) is { } name)
            {
                tags.Add((name, digest));
            }
        }

        return new LocalImageSet(Format, walker.Ordered, walker.Blobs.ToDictionary(d => d, d => BlobPath(folder, d)), tags, []);
    }

    private static IEnumerable<(Digest Digest, string? RefName)> Images(string folder)
    {
        JsonNode? index;
        try
        {
            index = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "index.json")));
        }
        catch (JsonException e)
        {
            throw CliException.Usage($"{folder}/index.json is not JSON: {e.Message}");
        }

        foreach (var entry in index?["manifests"]?.AsArray() ?? [])
        {
            var text = entry?["digest"]?.GetValue<string>();
            if (!Digest.TryParse(text, out var digest, out var problem))
            {
                throw CliException.Usage($"{folder}/index.json: {problem}");
            }

            yield return (digest, entry?["annotations"]?[RefName]?.GetValue<string>());
        }
    }

    /// <summary>The tag in a ref name: the whole name when it is only a tag, the part after the last ':' of a reference.</summary>
    private static string? TagOf(string? refName)
    {
        if (refName is null)
        {
            return null;
        }

        var colon = refName.LastIndexOf(':');
        return colon >= 0 && colon > refName.LastIndexOf('/') ? refName[(colon + 1)..] : refName;
    }

    private static string BlobPath(string folder, Digest digest) => Path.Combine(folder, "blobs", digest.Algorithm.Name, digest.Encoded);
}
