using System.Text.Json;
using System.Text.Json.Nodes;
using Docker.Common;
using Docker.Common.Digests;
using Docker.Common.Manifests;

namespace Berth.Cli.Images;

/// <summary>
/// The classic <c>docker save</c> layout (an unpacked archive): <c>manifest.json</c> lists each image's config file,
/// layer tars and <c>RepoTags</c>. There is no registry manifest in it, so one is built (Docker schema2) around the
/// config and the layers, which are kept as they are.
/// </summary>
public static class DockerArchiveReader
{
    public const string Format = "docker save archive";

    public static bool Recognises(string folder)
    {
        var manifest = Path.Combine(folder, "manifest.json");
        if (!File.Exists(manifest))
        {
            return false;
        }

        try
        {
            return JsonNode.Parse(File.ReadAllText(manifest)) is JsonArray images && images.All(i => i?["Config"] is not null && i["Layers"] is JsonArray);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    public static async Task<LocalImageSet> ReadAsync(string folder, string? tag, CancellationToken cancellationToken)
    {
        var images = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "manifest.json"), cancellationToken))!.AsArray();
        if (tag is not null && images.Count > 1)
        {
            throw CliException.Usage($"--tag names one image, but the archive holds {images.Count}");
        }

        var manifests = new List<LocalManifest>();
        var blobs = new Dictionary<Digest, string>();
        var tags = new List<(string, Digest)>();
        foreach (var image in images)
        {
            var config = await DescribeAsync(folder, image!["Config"]!.GetValue<string>(), MediaTypes.DockerImageConfig, blobs, cancellationToken);
            var layers = new List<Descriptor>();
            foreach (var layer in image["Layers"]!.AsArray())
            {
                layers.Add(await DescribeAsync(folder, layer!.GetValue<string>(), null, blobs, cancellationToken));
            }

            var document = new ImageManifest { MediaType = MediaTypes.DockerManifest, Config = config, Layers = layers };
            var bytes = JsonSerializer.SerializeToUtf8Bytes(document, DockerJsonContext.Default.ImageManifest);
            var digest = Digest.Compute(bytes);
            var path = Path.Combine(folder, $"berth-manifest-{digest.Encoded}.json");
            await File.WriteAllBytesAsync(path, bytes, cancellationToken);
            manifests.Add(new LocalManifest(digest, path, IsList: false, [.. document.References.Select(r => r.Digest)], []));
            var repoTags = image["RepoTags"]?.AsArray().Select(t => t!.GetValue<string>()).ToList() ?? [];
            foreach (var name in tag is null ? repoTags.Select(TagOf).Distinct(StringComparer.Ordinal) : [tag])
            {
                tags.Add((name, digest));
            }
        }

        return new LocalImageSet(Format, manifests, blobs, tags, []);
    }

    /// <summary>The tag of a RepoTags entry such as <c>docker.io/library/alpine:3.20</c>.</summary>
    private static string TagOf(string repoTag)
    {
        var colon = repoTag.LastIndexOf(':');
        return colon > repoTag.LastIndexOf('/') ? repoTag[(colon + 1)..] : "latest";
    }

    private static async Task<Descriptor> DescribeAsync(string folder, string name, string? mediaType, Dictionary<Digest, string> blobs, CancellationToken cancellationToken)
    {
        var path = Path.GetFullPath(Path.Combine(folder, name));
        if (!path.StartsWith(Path.GetFullPath(folder) + Path.DirectorySeparatorChar, StringComparison.Ordinal) || !File.Exists(path))
        {
            throw CliException.Usage($"the archive's manifest.json names {name}, which is not in the archive");
        }

        var blob = await Uploads.LocalBlob.ReadAsync(path, null, cancellationToken);
        blobs[blob.Digest] = path;
        return new Descriptor { MediaType = mediaType ?? LayerMediaType(path), Digest = blob.Digest, Size = blob.Size };
    }

    /// <summary>Layers stay as saved: uncompressed tars, unless a saver compressed them.</summary>
    private static string LayerMediaType(string path)
    {
        using var file = File.OpenRead(path);
        Span<byte> magic = stackalloc byte[2];
        return file.Read(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b ? MediaTypes.DockerLayer : MediaTypes.DockerLayerUncompressed;
    }
}
