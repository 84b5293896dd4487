using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Plugins;

namespace Berth.TestImporters;

/// <summary>
/// A content type the server knows nothing of, to prove that repositories stay whole by what importers declare alone.
/// <c>test_part</c>: bits, by digest, standing alone. <c>test_bundle</c>: a JSON document
/// <c>{"parts": [digests], "bundles": [digests], "about": digest?}</c>, by digest, that needs its parts and bundles and
/// refers to what it is about. <c>test_label</c>: a name in one repository pointing at a bundle. Unlike the docker
/// importers it does not look for what a bundle needs before saving it: the server must refuse the bundle by itself.
/// </summary>
public sealed class BundleImporter : IImporter
{
    public const string Id = "bundle_importer";
    public const string Part = "test_part";
    public const string Bundle = "test_bundle";
    public const string Label = "test_label";

    public ImporterMetadata Metadata { get; } = new(
        Id,
        "Bundle Importer (tests)",
        [
            new UnitTypeDefinition(Part, "Test Part", "Bytes of a bundle.", ["digest"], RequiresUpload: true),
            new UnitTypeDefinition(Bundle, "Test Bundle", "A document naming parts and other bundles.", ["digest"], RequiresUpload: true),
            new UnitTypeDefinition(Label, "Test Label", "A name for a bundle.", ["label", "repository"], RequiresUpload: false)
            {
                Naming = new UnitNaming("label", "repository", "target", [Bundle]),
            },
        ]);

    public void ValidateConfig(JsonObject config) =>
        RequestFields.RejectUnknown(config, "importer_config", ContentError.InvalidConfiguration);

    public IReadOnlyList<UnitReference> ReferencesOf(Unit unit)
    {
        ArgumentNullException.ThrowIfNull(unit);
        var metadata = unit.Metadata;
        return unit.TypeId switch
        {
            Bundle => [
                .. Digests(metadata["parts"]).Select(d => Reference(Part, d, UnitReferenceKind.Needs)),
                .. Digests(metadata["bundles"]).Select(d => Reference(Bundle, d, UnitReferenceKind.Needs)),
                .. Digests(metadata["about"]).Select(d => Reference(Bundle, d, UnitReferenceKind.RefersTo)),
            ],
            Label => [.. Digests(metadata["target"]).Select(d => Reference(Bundle, d, UnitReferenceKind.Target))],
            _ => [],
        };
    }

    public async Task<Unit> ImportUploadAsync(ImportRequest request, IImportConduit conduit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(conduit);
        if (request.UnitTypeId == Label)
        {
            var label = RequestFields.RequireString(request.UnitKey, "label", "unit_key", ContentError.InvalidUnitKey);
            var target = RequestFields.RequireString(request.UnitMetadata, "target", "unit_metadata", ContentError.InvalidUnitMetadata);
            var name = await conduit.SaveUnitAsync(
                new Unit
                {
                    TypeId = Label,
                    Key = UnitKey.Of(KeyValuePair.Create("label", label), KeyValuePair.Create("repository", conduit.RepositoryId)),
                    Metadata = new JsonObject { ["label"] = label, ["target"] = target },
                },
                cancellationToken).ConfigureAwait(false);
            await conduit.AssociateAsync(name, cancellationToken).ConfigureAwait(false);
            return name;
        }

        var upload = request.Upload ?? throw new ContentException(ContentError.UploadRequired, "an upload is required");
        byte[] bytes;
        await using (var stream = upload.OpenRead())
        using (var buffer = new MemoryStream())
        {
            await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            bytes = buffer.ToArray();
        }

        var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));
        var stored = await conduit.StoreContentAsync(bytes, digest, cancellationToken).ConfigureAwait(false);
        var metadata = new JsonObject { ["digest"] = digest, ["size"] = stored.Size };
        if (request.UnitTypeId == Bundle)
        {
            var document = JsonNode.Parse(bytes) as JsonObject ?? throw new ContentException(ContentError.InvalidRequest, "a bundle is a JSON object");
            foreach (var field in new[] { "parts", "bundles", "about" })
            {
                metadata[field] = document[field]?.DeepClone();
            }
        }

        var unit = await conduit.SaveUnitAsync(
            new Unit { TypeId = request.UnitTypeId, Key = UnitKey.Of("digest", digest), ContentDigest = digest, Metadata = metadata },
            cancellationToken).ConfigureAwait(false);
        await conduit.AssociateAsync(unit, cancellationToken).ConfigureAwait(false);
        return unit;
    }

    private static IEnumerable<string> Digests(JsonNode? node) => node switch
    {
        JsonArray array => array.Select(d => d!.GetValue<string>()),
        JsonValue value when value.GetValueKind() == JsonValueKind.String => [value.GetValue<string>()],
        _ => [],
    };

    private static UnitReference Reference(string typeId, string digest, UnitReferenceKind kind) => new(typeId, UnitKey.Of("digest", digest), kind);
}
