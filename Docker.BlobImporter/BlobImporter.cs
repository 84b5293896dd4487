using System.Text.Json.Nodes;
using Berth.Plugins;
using Docker.Common;
using Docker.Common.Digests;

namespace Docker.BlobImporter;

/// <summary>
/// Imports uploaded layer and config blobs as <c>docker_blob</c> units: the bytes must hash to the digest in
/// the unit key; then they are moved into content storage and the unit is associated with the repository.
/// </summary>
public sealed class BlobImporter : IImporter
{
    private static readonly UnitTypeDefinition BlobType = new(
        DockerUnitTypes.Blob,
        "Docker Blob",
        "A layer or configuration blob of a Docker or OCI image, identified by its digest.",
        [DockerUnitTypes.Fields.Digest],
        RequiresUpload: true);

    /// <inheritdoc />
    public ImporterMetadata Metadata { get; } = new(DockerUnitTypes.BlobImporter, "Docker Blob Importer", [BlobType]);

    /// <inheritdoc />
    public void ValidateConfig(JsonObject config) =>
        RequestFields.RejectUnknown(config, "importer_config", ContentError.InvalidConfiguration);

    /// <inheritdoc />
    public IReadOnlyList<UnitReference> ReferencesOf(Unit unit) => [];

    /// <inheritdoc />
    public async Task<Unit> ImportUploadAsync(ImportRequest request, IImportConduit conduit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(conduit);

        RequestFields.RejectUnknown(request.UnitKey, "unit_key", ContentError.InvalidUnitKey, DockerUnitTypes.Fields.Digest);
        RequestFields.RejectUnknown(request.UnitMetadata, "unit_metadata", ContentError.InvalidUnitMetadata);
        var digestText = RequestFields.RequireString(request.UnitKey, DockerUnitTypes.Fields.Digest, "unit_key", ContentError.InvalidUnitKey);
        if (!Digest.TryParse(digestText, out var digest, out var problem))
        {
            throw new ContentException(ContentError.DigestInvalid, $"unit_key.digest: {problem}");
        }

        var upload = request.Upload ?? throw new ContentException(
            ContentError.UploadRequired,
            "a docker_blob import needs the blob's bytes: create an upload, send the bytes, and pass its upload_id");

        var actual = await upload.ComputeDigestAsync(digest.Algorithm.Name, cancellationToken).ConfigureAwait(false);
        if (actual != digest.ToString())
        {
            throw new ContentException(
                ContentError.DigestMismatch,
                $"the uploaded bytes ({upload.Length} bytes) hash to {actual}, not to {digest}; check that the whole blob was sent",
                new JsonObject { ["expected"] = digest.ToString(), ["actual"] = actual, ["size"] = upload.Length });
        }

        var key = UnitKey.Of(DockerUnitTypes.Fields.Digest, digest.ToString());
        var stored = await conduit.StoreUploadAsync(upload, digest.ToString(), cancellationToken).ConfigureAwait(false);
        var unit = await conduit.FindUnitAsync(DockerUnitTypes.Blob, key, cancellationToken).ConfigureAwait(false)
            ?? await conduit.SaveUnitAsync(
                new Unit
                {
                    TypeId = DockerUnitTypes.Blob,
                    Key = key,
                    ContentDigest = stored.Digest,
                    Metadata = new JsonObject
                    {
                        [DockerUnitTypes.Fields.Digest] = stored.Digest,
                        [DockerUnitTypes.Fields.Size] = stored.Size,
                    },
                },
                cancellationToken).ConfigureAwait(false);

        await conduit.AssociateAsync(unit, cancellationToken).ConfigureAwait(false);
        return unit;
    }
}
