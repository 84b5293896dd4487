using System.Text.Json.Nodes;
using Docker.Common;
using Docker.Common.Digests;
using Docker.Common.Manifests;

namespace Docker.ManifestImporter;

/// <summary>
/// What a manifest unit records of its document, so that searches, promotion and the registry API can follow
/// references without reading the bytes again.
/// </summary>
internal static class ManifestUnitMetadata
{
    public static JsonObject Describe(Manifest manifest, Digest digest, long size)
    {
        var metadata = new JsonObject
        {
            [DockerUnitTypes.Fields.Digest] = digest.ToString(),
            [DockerUnitTypes.Fields.Size] = size,
            [DockerUnitTypes.Fields.MediaType] = manifest.EffectiveMediaType,
            [DockerUnitTypes.Fields.SchemaVersion] = manifest.SchemaVersion,
        };

        switch (manifest)
        {
            case ImageManifest image:
                metadata[DockerUnitTypes.Fields.Config] = Describe(image.Config);
                metadata[DockerUnitTypes.Fields.Layers] = new JsonArray([.. image.Layers.Select(Describe)]);
                break;
            case ImageIndex index:
                metadata[DockerUnitTypes.Fields.Manifests] = new JsonArray([.. index.Manifests.Select(Describe)]);
                break;
        }

        if (manifest.ArtifactType is not null)
        {
            metadata[DockerUnitTypes.Fields.ArtifactType] = manifest.ArtifactType;
        }

        if (manifest.Subject is not null)
        {
            metadata[DockerUnitTypes.Fields.Subject] = manifest.Subject.Digest.ToString();
            metadata[DockerUnitTypes.Fields.SubjectMediaType] = manifest.Subject.MediaType;
        }

        if (manifest.Annotations is { Count: > 0 })
        {
            metadata[DockerUnitTypes.Fields.Annotations] = Describe(manifest.Annotations);
        }

        return metadata;
    }

    private static JsonObject Describe(Descriptor descriptor)
    {
        var json = new JsonObject
        {
            [DockerUnitTypes.Fields.Digest] = descriptor.Digest.ToString(),
            [DockerUnitTypes.Fields.MediaType] = descriptor.MediaType,
            [DockerUnitTypes.Fields.Size] = descriptor.Size,
        };
        if (descriptor.Urls is { Count: > 0 })
        {
            json[DockerUnitTypes.Fields.Urls] = new JsonArray([.. descriptor.Urls.Select(u => JsonValue.Create(u))]);
        }

        if (descriptor.ArtifactType is not null)
        {
            json[DockerUnitTypes.Fields.ArtifactType] = descriptor.ArtifactType;
        }

        if (descriptor.Platform is { } platform)
        {
            var described = new JsonObject { ["architecture"] = platform.Architecture, ["os"] = platform.Os };
            if (platform.Variant is not null)
            {
                described["variant"] = platform.Variant;
            }

            if (platform.OsVersion is not null)
            {
                described["os.version"] = platform.OsVersion;
            }

            json[DockerUnitTypes.Fields.Platform] = described;
        }

        if (descriptor.Annotations is { Count: > 0 })
        {
            json[DockerUnitTypes.Fields.Annotations] = Describe(descriptor.Annotations);
        }

        return json;
    }

    private static JsonObject Describe(IReadOnlyDictionary<string, string> annotations) =>
        new([.. annotations.Select(a => KeyValuePair.Create(a.Key, (JsonNode?)JsonValue.Create(a.Value)))]);
}
