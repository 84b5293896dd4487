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
        if (request.Upload is not null)
        {
            throw new ContentException(ContentError.InvalidUnitKey, "a docker_tag import takes no upload; send upload_id null");
        }

        RequestFields.RejectUnknown(request.UnitKey, "unit_key", ContentError.InvalidUnitKey, DockerUnitTypes.Fields.Name, DockerUnitTypes.Fields.RepositoryId);
        RequestFields.RejectUnknown(request.UnitMetadata, "unit_metadata", ContentError.InvalidUnitMetadata, DockerUnitTypes.Fields.ManifestDigest);
        var name = RequestFields.RequireString(request.UnitKey, DockerUnitTypes.Fields.Name, "unit_key", ContentError.InvalidUnitKey);
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

        var digestText = RequestFields.RequireString(request.UnitMetadata, DockerUnitTypes.Fields.ManifestDigest, "unit_metadata", ContentError.InvalidUnitMetadata);
        if (!Digest.TryParse(digestText, out var digest, out var digestProblem))
        {
            throw new ContentException(ContentError.DigestInvalid, $"unit_metadata.manifest_digest: {digestProblem}");
        }

        return await TagAsync(conduit, tag, digest, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Points a tag at a manifest or list that must already be in the repository.</summary>
    public static async Task<Unit> TagAsync(IImportConduit conduit, TagName tag, Digest manifestDigest, CancellationToken cancellationToken)
    {
        var manifestKey = UnitKey.Of(DockerUnitTypes.Fields.Digest, manifestDigest.ToString());
        string? manifestType = null;
        foreach (var type in TaggableTypes)
        {
            var found = await conduit.FindRepositoryUnitsAsync(type, [manifestKey], cancellationToken).ConfigureAwait(false);
            if (found.Count > 0)
            {
                manifestType = type;
                break;
            }
        }

        if (manifestType is null)
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
                    [DockerUnitTypes.Fields.ManifestType] = manifestType,
                },
            },
            cancellationToken).ConfigureAwait(false);
        await conduit.AssociateAsync(unit, cancellationToken).ConfigureAwait(false);
        return unit;
    }
}
