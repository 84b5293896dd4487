using System.Text.Json.Nodes;
using Berth.Plugins;
using Docker.Common;

namespace Docker.ManifestImporter;

/// <summary>
/// Imports image manifests, manifest lists / indexes and tags. A manifest is accepted only when every blob it
/// references is already in the repository, a list only when every manifest it references is, and a tag only
/// when the manifest it points at is: a repository never holds an incomplete image.
/// </summary>
public sealed class ManifestImporter : IImporter
{
    private static readonly UnitTypeDefinition ManifestType = new(
        DockerUnitTypes.Manifest,
        "Docker Manifest",
        "A Docker schema2 or OCI image manifest, identified by the digest of its exact bytes.",
        [DockerUnitTypes.Fields.Digest],
        RequiresUpload: true);

    private static readonly UnitTypeDefinition ManifestListType = new(
        DockerUnitTypes.ManifestList,
        "Docker Manifest List",
        "A Docker manifest list or OCI image index, identified by the digest of its exact bytes.",
        [DockerUnitTypes.Fields.Digest],
        RequiresUpload: true);

    private static readonly UnitTypeDefinition TagType = new(
        DockerUnitTypes.Tag,
        "Docker Tag",
        "A name in one repository that points at a manifest or manifest list.",
        [DockerUnitTypes.Fields.Name, DockerUnitTypes.Fields.RepositoryId],
        RequiresUpload: false)
    {
        Naming = new UnitNaming(
            DockerUnitTypes.Fields.Name, DockerUnitTypes.Fields.RepositoryId, DockerUnitTypes.Fields.ManifestDigest, [DockerUnitTypes.Manifest, DockerUnitTypes.ManifestList]),
    };

    /// <inheritdoc />
    public ImporterMetadata Metadata { get; } = new(
        DockerUnitTypes.ManifestImporter,
        "Docker Manifest Importer",
        [ManifestType, ManifestListType, TagType]);

    /// <inheritdoc />
    public void ValidateConfig(JsonObject config) => ManifestImporterConfig.Read(config);

    /// <inheritdoc />
    public IReadOnlyList<UnitReference> ReferencesOf(Unit unit)
    {
        ArgumentNullException.ThrowIfNull(unit);
        return ManifestReferences.Of(unit);
    }

    /// <inheritdoc />
    public Task<Unit> ImportUploadAsync(ImportRequest request, IImportConduit conduit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(conduit);
        _ = ManifestImporterConfig.Read(request.Config);
        return request.UnitTypeId switch
        {
            DockerUnitTypes.Manifest => ManifestImport.ImportAsync(request, conduit, isList: false, cancellationToken),
            DockerUnitTypes.ManifestList => ManifestImport.ImportAsync(request, conduit, isList: true, cancellationToken),
            DockerUnitTypes.Tag => TagImport.ImportAsync(request, conduit, cancellationToken),
            _ => throw new ContentException(ContentError.InvalidUnitKey, $"{Metadata.Id} does not import {request.UnitTypeId} units"),
        };
    }
}
