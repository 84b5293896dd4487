using System.Text.Json.Nodes;
using Berth.Plugins;
using Docker.Common;
using Docker.Common.Digests;
using Docker.Common.References;

namespace Docker.ManifestImporter;

/// <summary>Creates or moves a <c>docker_tag</c> unit: a name in one repository pointing at a manifest or list there.</summary>
internal static class TagImport
{
    private static readonly string[] TaggableTypes = [DockerUnitTypes.Manifest, DockerUnitTypes.ManifestList];

    public static async Task<Unit> ImportAsync(ImportRequest request, IImportConduit conduit, CancellationToken cancellationToken)
    {
        // pulp_docker's clients send a tag with an upload they wrote nothing to: an empty one is taken, and ends with the import.
        if (request.Upload is { Length: > 0 })
        {
            throw new ContentException(
                ContentError.InvalidUnitKey, "a docker_tag import reads no bytes; send upload_id null, or an upload with nothing written to it");
        }

        RequestFields.RejectUnknown(request.UnitKey, "unit_key", ContentError.InvalidUnitKey, DockerUnitTypes.Fields.Name, DockerUnitTypes.Fields.RepositoryId);
        RequestFields.RejectUnknown(
            request.UnitMetadata, "unit_metadata", ContentError.InvalidUnitMetadata,
            DockerUnitTypes.Fields.ManifestDigest, DockerUnitTypes.Fields.Digest, DockerUnitTypes.Fields.Name);
        var name = RequestFields.RequireString(request.UnitKey, DockerUnitTypes.Fields.Name, "unit_key", ContentError.InvalidUnitKey);
        var metadataName = RequestFields.OptionalString(request.UnitMetadata, DockerUnitTypes.Fields.Name, "unit_metadata", ContentError.InvalidUnitMetadata);
        if (metadataName is not null && metadataName != name)
        {
            throw new ContentException(
                ContentError.InvalidUnitMetadata, $"unit_metadata.name is '{metadataName}' but unit_key.name is '{name}'; they name the same tag");
        }

        if (!TagName.TryParse(name, out var tag, out var tagProblem))
        {
            throw new ContentException(ContentError.TagInvalid, $"unit_key.name: {tagProblem}");
        }

        var repositoryId = RequestFields.OptionalString(request.UnitKey, DockerUnitTypes.Fields.RepositoryId, "unit_key", ContentError.InvalidUnitKey);
        if (repositoryId is not null && repositoryId != conduit.RepositoryId)
        {
            throw new ContentException(
                ContentError.InvalidUnitKey,
                $"unit_key.repo_id is '{repositoryId}' but the import is into '{conduit.RepositoryId}'; leave repo_id out");
        }

        // pulp_docker's own field is digest; Berth's is manifest_digest. Either, or both when they agree.
        var manifestDigest = RequestFields.OptionalString(request.UnitMetadata, DockerUnitTypes.Fields.ManifestDigest, "unit_metadata", ContentError.InvalidUnitMetadata);
        var pulpDigest = RequestFields.OptionalString(request.UnitMetadata, DockerUnitTypes.Fields.Digest, "unit_metadata", ContentError.InvalidUnitMetadata);
        if (manifestDigest is not null && pulpDigest is not null && manifestDigest != pulpDigest)
        {
            throw new ContentException(
                ContentError.InvalidUnitMetadata, "unit_metadata.digest and unit_metadata.manifest_digest differ; send one of them");
        }

        var digestText = manifestDigest ?? pulpDigest
            ?? throw new ContentException(ContentError.InvalidUnitMetadata, "unit_metadata.manifest_digest (or digest) is required");
        if (!Digest.TryParse(digestText, out var digest, out var digestProblem))
        {
            var field = manifestDigest is not null ? DockerUnitTypes.Fields.ManifestDigest : DockerUnitTypes.Fields.Digest;
            throw new ContentException(ContentError.DigestInvalid, $"unit_metadata.{field}: {digestProblem}");
        }

        return await TagAsync(conduit, tag, digest, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Points a tag at a manifest or list that must already be in the repository.</summary>
    public static async Task<Unit> TagAsync(IImportConduit conduit, TagName tag, Digest manifestDigest, CancellationToken cancellationToken)
    {
        var manifestKey = UnitKey.Of(DockerUnitTypes.Fields.Digest, manifestDigest.ToString());
        Unit? manifest = null;
        foreach (var type in TaggableTypes)
        {
            var found = await conduit.FindRepositoryUnitsAsync(type, [manifestKey], cancellationToken).ConfigureAwait(false);
            if (found.Count > 0)
            {
                manifest = found[0];
                break;
            }
        }

        if (manifest is null)
        {
            throw new ContentException(
                ContentError.ManifestUnknown,
                $"cannot tag {tag}: manifest {manifestDigest} is not in repository '{conduit.RepositoryId}'; import the manifest first",
                new JsonObject { ["missing_manifests"] = new JsonArray(manifestDigest.ToString()) });
        }

        var unit = await conduit.SaveUnitAsync(
            new Unit
            {
                TypeId = DockerUnitTypes.Tag,
                Key = UnitKey.Of(
                    new KeyValuePair<string, string>(DockerUnitTypes.Fields.Name, tag.Value),
                    new KeyValuePair<string, string>(DockerUnitTypes.Fields.RepositoryId, conduit.RepositoryId)),
                Metadata = new JsonObject
                {
                    [DockerUnitTypes.Fields.Name] = tag.Value,
                    [DockerUnitTypes.Fields.ManifestDigest] = manifestDigest.ToString(),
                    // As pulp_docker records a tag: what it points at, image or list, and that document's schema version.
                    [DockerUnitTypes.Fields.ManifestType] = DockerUnitTypes.ManifestKinds.Of(manifest.TypeId),
                    [DockerUnitTypes.Fields.SchemaVersion] = manifest.Metadata[DockerUnitTypes.Fields.SchemaVersion]?.DeepClone() ?? 2,
                },
            },
            cancellationToken).ConfigureAwait(false);
        await conduit.AssociateAsync(unit, cancellationToken).ConfigureAwait(false);
        return unit;
    }
}
