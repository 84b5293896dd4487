using Berth.Plugins;
using Berth.Server.Criteria;
using Berth.Server.Repositories;
using Berth.Server.Units;
using Docker.Common;
using Docker.Common.Digests;
using Docker.Common.References;

namespace Berth.Server.Registry;

/// <summary>
/// What a repository holds, as the registry looks it up: only units associated with the repository are found,
/// so content pushed to one repository is never readable through another.
/// </summary>
public sealed class RepositoryContent(IUnitStore units)
{
    private static readonly string[] ManifestTypes = [DockerUnitTypes.Manifest, DockerUnitTypes.ManifestList];
    private static readonly FieldPath SubjectField = FieldPath.Parse(DockerUnitTypes.Fields.Subject, "subject");

    public async Task<Unit?> FindBlobAsync(Repository repository, Digest digest, CancellationToken cancellationToken) =>
        await FindOneAsync(repository, DockerUnitTypes.Blob, DigestKey(digest), cancellationToken);

    /// <summary>A manifest or list of the repository; <paramref name="typeHint"/>, when known (a tag records it), is tried first.</summary>
    public async Task<Unit?> FindManifestAsync(Repository repository, Digest digest, CancellationToken cancellationToken, string? typeHint = null)
    {
        foreach (var type in typeHint is null ? ManifestTypes.AsEnumerable() : ManifestTypes.OrderBy(t => t != typeHint))
        {
            if (await FindOneAsync(repository, type, DigestKey(digest), cancellationToken) is { } manifest)
            {
                return manifest;
            }
        }

        return null;
    }

    public async Task<Unit?> FindTagAsync(Repository repository, TagName tag, CancellationToken cancellationToken) =>
        await FindOneAsync(repository, DockerUnitTypes.Tag, TagKey(repository, tag), cancellationToken);

    /// <summary>
    /// The manifest a reference (a tag or a digest) stands for in the repository. A reference that is neither
    /// names nothing the repository could hold, so it is unknown as well: the spec answers a pull of a manifest
    /// that is not there with 404, whatever its reference looks like. A push or a delete parses the reference
    /// itself first, and refuses one that is invalid (400).
    /// </summary>
    /// <exception cref="RegistryException">MANIFEST_UNKNOWN.</exception>
    public async Task<Unit> ResolveManifestAsync(Repository repository, string reference, CancellationToken cancellationToken)
    {
        if (!ManifestReference.TryParse(reference, out var parsed, out var problem))
        {
            throw new RegistryException(RegistryError.ManifestUnknown, $"no manifest has this reference: {problem}", System.Text.Json.Nodes.JsonValue.Create(reference));
        }

        return await FindManifestAsync(repository, parsed, cancellationToken) ?? throw new RegistryException(
            RegistryError.ManifestUnknown, $"manifest '{reference}' is not in repository '{repository.RegistryName}'", System.Text.Json.Nodes.JsonValue.Create(reference));
    }

    /// <summary>The manifest a parsed reference stands for in the repository, if it holds one.</summary>
    public async Task<Unit?> FindManifestAsync(Repository repository, ManifestReference reference, CancellationToken cancellationToken) => reference switch
    {
        { Digest: { } digest } => await FindManifestAsync(repository, digest, cancellationToken),
        { Tag: { } tag } => await ResolveTagAsync(repository, tag, cancellationToken),
        _ => null,
    };

    // The tag with the manifest it names, in one lookup: a tag references its manifest. A tag stored before units
    // kept references (until the start that adds them) finds its manifest with a second lookup.
    private async Task<Unit?> ResolveTagAsync(Repository repository, TagName tag, CancellationToken cancellationToken)
    {
        if (await units.FindWithReferencedAsync(repository.Id, DockerUnitTypes.Tag, TagKey(repository, tag), cancellationToken) is not { } found ||
            !Digest.TryParse(found.Unit.Metadata[DockerUnitTypes.Fields.ManifestDigest]?.GetValue<string>(), out var tagged))
        {
            return null;
        }

        var key = DigestKey(tagged);
        return found.Referenced.FirstOrDefault(u => ManifestTypes.Contains(u.TypeId) && u.Key.Equals(key))
            ?? await FindManifestAsync(
                repository, tagged, cancellationToken, DockerUnitTypes.ManifestKinds.UnitTypeOf(found.Unit.Metadata[DockerUnitTypes.Fields.ManifestType]?.GetValue<string>()));
    }

    /// <summary>Every unit of some types in the repository.</summary>
    public async Task<IReadOnlyList<Unit>> AllAsync(Repository repository, string[] typeIds, CancellationToken cancellationToken) =>
        [.. (await units.SearchAsync(repository.Id, new UnitCriteria(typeIds, 0, null), cancellationToken)).Select(u => u.Unit)];

    public static IReadOnlyList<string> ManifestTypeIds => ManifestTypes;

    /// <summary>The repository's manifests whose subject is <paramref name="subject"/>, chosen by the store.</summary>
    public async Task<IReadOnlyList<Unit>> ReferrersOfAsync(Repository repository, Digest subject, CancellationToken cancellationToken)
    {
        var criteria = new UnitCriteria(ManifestTypes, 0, null)
        {
            UnitFilter = new Condition.FieldTest(SubjectField, TestOperator.Equal, [new CriteriaValue.Text(subject.ToString())]),
        };
        return [.. (await units.SearchAsync(repository.Id, criteria, cancellationToken)).Select(u => u.Unit)];
    }

    /// <summary>A referrer's artifact type: the manifest's own, or else its config's media type (spec, end-12).</summary>
    public static string? ArtifactTypeOf(Unit manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        return manifest.Metadata[DockerUnitTypes.Fields.ArtifactType]?.GetValue<string>()
            ?? manifest.Metadata[DockerUnitTypes.Fields.Config]?[DockerUnitTypes.Fields.MediaType]?.GetValue<string>();
    }

    private async Task<Unit?> FindOneAsync(Repository repository, string typeId, UnitKey key, CancellationToken cancellationToken)
    {
        var found = await units.FindInRepositoryAsync(repository.Id, typeId, [key], cancellationToken);
        return found.Count > 0 ? found[0] : null;
    }

    private static UnitKey TagKey(Repository repository, TagName tag) => UnitKey.Of(
        new KeyValuePair<string, string>(DockerUnitTypes.Fields.Name, tag.Value),
        new KeyValuePair<string, string>(DockerUnitTypes.Fields.RepositoryId, repository.Id.Value));

    private static UnitKey DigestKey(Digest digest) => UnitKey.Of(DockerUnitTypes.Fields.Digest, digest.ToString());
}
