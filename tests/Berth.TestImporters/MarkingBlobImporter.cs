using System.Text.Json.Nodes;
using Berth.Plugins;

namespace Berth.TestImporters;

/// <summary>
/// Imports docker_blob units like the real blob importer, through the same conduit, but marks each unit it
/// saves with <c>imported_by</c>, so a test can see which importer an import was routed to. With
/// <c>refuse_after_store</c> in its configuration it refuses the import once the bits are stored, as an importer
/// may when a later check fails.
/// </summary>
public sealed class MarkingBlobImporter : IImporter
{
    public const string Id = "marking_blob_importer";

    public ImporterMetadata Metadata { get; } = new(
        Id,
        "Marking Blob Importer (tests)",
        [new UnitTypeDefinition("docker_blob", "Docker Blob", "A blob.", ["digest"], RequiresUpload: true)]);

    public void ValidateConfig(JsonObject config) =>
        RequestFields.RejectUnknown(config, "importer_config", ContentError.InvalidConfiguration, "mark", "refuse_after_store");

    public IReadOnlyList<UnitReference> ReferencesOf(Unit unit) => [];

    public async Task<Unit> ImportUploadAsync(ImportRequest request, IImportConduit conduit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(conduit);
        var digest = RequestFields.RequireString(request.UnitKey, "digest", "unit_key", ContentError.InvalidUnitKey);
        var upload = request.Upload ?? throw new ContentException(ContentError.UploadRequired, "an upload is required");
        var stored = await conduit.StoreUploadAsync(upload, digest, cancellationToken).ConfigureAwait(false);
        if (request.Config.ContainsKey("refuse_after_store"))
        {
            throw new ContentException(ContentError.InvalidUnitMetadata, "refused after storing, as configured");
        }

        var mark = RequestFields.OptionalString(request.Config, "mark", "importer_config", ContentError.InvalidConfiguration) ?? Id;
        var unit = await conduit.SaveUnitAsync(
            new Unit
            {
                TypeId = "docker_blob",
                Key = UnitKey.Of("digest", stored.Digest),
                ContentDigest = stored.Digest,
                Metadata = new JsonObject { ["digest"] = stored.Digest, ["size"] = stored.Size, ["imported_by"] = mark },
            },
            cancellationToken).ConfigureAwait(false);
        await conduit.AssociateAsync(unit, cancellationToken).ConfigureAwait(false);
        return unit;
    }
}
