using System.Text.Json.Nodes;
using Berth.Plugins;
using Docker.Common;

namespace Docker.ManifestImporter;

/// <summary>
/// What a manifest, list or tag unit needs, refers to or names, read from the metadata the importer records: so
/// that the server can ask again of units stored before it kept references.
/// </summary>
internal static class ManifestReferences
{
    private static readonly string[] ManifestTypes = [DockerUnitTypes.Manifest, DockerUnitTypes.ManifestList];

    public static IReadOnlyList<UnitReference> Of(Unit unit) => unit.TypeId switch
    {
        DockerUnitTypes.Manifest or DockerUnitTypes.ManifestList => OfManifest(unit.Metadata),
        DockerUnitTypes.Tag => OfTag(unit.Metadata),
        _ => [],
    };

    private static List<UnitReference> OfManifest(JsonObject metadata)
    {
        var references = new List<UnitReference>();
        var blobs = new[] { metadata[DockerUnitTypes.Fields.Config] }.Concat(metadata[DockerUnitTypes.Fields.Layers] as JsonArray ?? []);
        foreach (var descriptor in blobs.OfType<JsonObject>())
        {
            // Foreign and non-distributable layers are fetched from their urls: a registry does not hold them.
            var foreign = MediaTypes.IsNonDistributable(Text(descriptor, DockerUnitTypes.Fields.MediaType)) &&
                descriptor[DockerUnitTypes.Fields.Urls] is JsonArray { Count: > 0 };
            if (!foreign && Text(descriptor, DockerUnitTypes.Fields.Digest) is { } digest)
            {
                references.Add(Reference(DockerUnitTypes.Blob, digest, UnitReferenceKind.Needs));
            }
        }

        foreach (var descriptor in (metadata[DockerUnitTypes.Fields.Manifests] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (Text(descriptor, DockerUnitTypes.Fields.Digest) is { } digest)
            {
                references.Add(Reference(ManifestType(Text(descriptor, DockerUnitTypes.Fields.MediaType)), digest, UnitReferenceKind.Needs));
            }
        }

        if (Text(metadata, DockerUnitTypes.Fields.Subject) is { } subject)
        {
            // Units recorded before the subject's media type was kept may be about either kind of manifest.
            var types = Text(metadata, DockerUnitTypes.Fields.SubjectMediaType) is { } mediaType ? [ManifestType(mediaType)] : ManifestTypes;
            references.AddRange(types.Select(type => Reference(type, subject, UnitReferenceKind.RefersTo)));
        }

        return [.. references.Distinct()];
    }

    private static List<UnitReference> OfTag(JsonObject metadata) =>
        Text(metadata, DockerUnitTypes.Fields.ManifestDigest) is { } digest
            ? [Reference(DockerUnitTypes.ManifestKinds.UnitTypeOf(Text(metadata, DockerUnitTypes.Fields.ManifestType)) ?? DockerUnitTypes.Manifest, digest, UnitReferenceKind.Target)]
            : [];

    // An index may list indexes as well as image manifests; anything else it lists is taken for an image manifest,
    // as the importer checks the media types of what a list names against the units it finds.
    private static string ManifestType(string? mediaType) => MediaTypes.IsIndex(mediaType) ? DockerUnitTypes.ManifestList : DockerUnitTypes.Manifest;

    private static UnitReference Reference(string typeId, string digest, UnitReferenceKind kind) =>
        new(typeId, UnitKey.Of(DockerUnitTypes.Fields.Digest, digest), kind);

    private static string? Text(JsonObject json, string field) =>
        json[field] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
