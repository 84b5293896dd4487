using Berth.Plugins;
using Berth.Server.Events;
using Docker.Common;
using Docker.Common.Digests;
using Docker.Common.References;

namespace Berth.Server.Registry;

/// <summary>
/// The targets of the registry's events, as the reference registry describes them: the descriptor of the blob or
/// manifest (media type, digest, size), the repository by its registry name, the tag, and where it is served.
/// </summary>
internal static class RegistryEvents
{
    private const string BlobMediaType = "application/octet-stream";

    public static EventTarget Manifest(HttpContext context, RegistryName name, Unit manifest, TagName? tag)
    {
        var digest = Digest.Parse(manifest.ContentDigest!);
        var size = manifest.Metadata[DockerUnitTypes.Fields.Size]?.GetValue<long>();
        return new EventTarget
        {
            MediaType = manifest.Metadata[DockerUnitTypes.Fields.MediaType]?.GetValue<string>(),
            Digest = digest.ToString(),
            Size = size,
            Length = size,
            Repository = name.Value,
            Url = Url(context, RegistryApi.ManifestLocation(name, digest)),
            Tag = tag?.Value,
        };
    }

    public static EventTarget Blob(HttpContext context, RegistryName name, Unit blob, string? fromRepository = null)
    {
        var digest = Digest.Parse(blob.ContentDigest ?? blob.Key.Fields[DockerUnitTypes.Fields.Digest]);
        var size = blob.Metadata[DockerUnitTypes.Fields.Size]?.GetValue<long>();
        return new EventTarget
        {
            MediaType = BlobMediaType,
            Digest = digest.ToString(),
            Size = size,
            Length = size,
            Repository = name.Value,
            FromRepository = fromRepository,
            Url = Url(context, RegistryApi.BlobLocation(name, digest)),
        };
    }

    /// <summary>A tag deleted alone: the tag and the manifest it named.</summary>
    public static EventTarget Tag(RegistryName name, TagName tag, Unit tagUnit) => new()
    {
        Digest = tagUnit.Metadata[DockerUnitTypes.Fields.ManifestDigest]?.GetValue<string>(),
        Repository = name.Value,
        Tag = tag.Value,
    };

    private static string Url(HttpContext context, string path) => $"{context.Request.Scheme}://{context.Request.Host}{path}";
}
