using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Plugins;
using Berth.Server.Content;
using Berth.Server.Criteria;
using Berth.Server.Repositories;
using Berth.Server.Units;
using Docker.Common;
using Docker.Common.Digests;
using Docker.Common.Manifests;
using Docker.Common.References;

namespace Berth.Server.Registry.Browsing;

/// <summary>
/// Reads a repository's tags and images for the web UI. It knows Docker's and OCI's documents so that the UI does not:
/// it answers in plain rows of strings. What it reads is what the repository holds; access is the caller's to check.
/// </summary>
public sealed class RepositoryBrowser(IUnitStore units, RepositoryContent content, ContentCache cache)
{
    /// <summary>Configs above this are not read for a summary: a page has no use for megabytes of history.</summary>
    private const int MaxConfigBytes = 1024 * 1024;

    private static readonly FieldPath NameField = FieldPath.Parse(DockerUnitTypes.Fields.Name, "name");
    private static readonly FieldPath DigestField = FieldPath.Parse(DockerUnitTypes.Fields.Digest, "digest");
    private static readonly FieldPath ManifestDigestField = FieldPath.Parse(DockerUnitTypes.Fields.ManifestDigest, "manifest_digest");

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Tags in name order whose names contain <paramref name="filter"/> (any case), <paramref name="pageSize"/> at a time;
    /// the store chooses and orders them, so a page of a repository with ten thousand tags reads one page of manifests.
    /// </summary>
    public async Task<TagPage> TagsAsync(Repository repository, TagFilter filter, int page, int pageSize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(filter);
        var criteria = new UnitCriteria([DockerUnitTypes.Tag], page * pageSize, pageSize + 1)
        {
            UnitFilter = filter.Pattern is { } pattern ? new Condition.FieldTest(NameField, TestOperator.Matches, [], pattern) : Condition.Always,
            UnitSort = [new SortKey(NameField, Descending: false)],
        };
        var found = await units.SearchAsync(repository.Id, criteria, cancellationToken);
        var tags = found.Take(pageSize).ToList();
        var digests = tags.Select(t => t.Unit.Metadata[DockerUnitTypes.Fields.ManifestDigest]?.GetValue<string>()).OfType<string>().Distinct().ToList();
        var manifests = await ManifestsAsync(repository, digests, cancellationToken);

        var rows = new List<TagRow>(tags.Count);
        foreach (var tag in tags)
        {
            var digest = tag.Unit.Metadata[DockerUnitTypes.Fields.ManifestDigest]?.GetValue<string>() ?? string.Empty;
            var name = tag.Unit.Key[DockerUnitTypes.Fields.Name] ?? string.Empty;
            if (!manifests.TryGetValue(digest, out var manifest))
            {
                rows.Add(new TagRow(name, digest, null, false, [], null, tag.Updated));
                continue;
            }

            var parsed = await ParseAsync(manifest, cancellationToken);
            rows.Add(new TagRow(
                name,
                digest,
                parsed?.EffectiveMediaType ?? manifest.Metadata[DockerUnitTypes.Fields.MediaType]?.GetValue<string>(),
                manifest.TypeId == DockerUnitTypes.ManifestList,
                parsed is ImageIndex index ? [.. index.Manifests.Select(m => PlatformText(m.Platform)).OfType<string>().Distinct()] : [],
                parsed is ImageManifest image ? SizeOf(image) : null,
                tag.Updated));
        }

        return new TagPage(rows, found.Count > pageSize);
    }

    /// <summary>The criteria that choose a repository's tags by name, for a promotion of them.</summary>
    public static UnitCriteria TagsNamed(IReadOnlyCollection<string> tags)
    {
        ArgumentNullException.ThrowIfNull(tags);
        return new UnitCriteria([DockerUnitTypes.Tag], 0, null)
        {
            UnitFilter = new Condition.FieldTest(NameField, TestOperator.Equal, [.. tags.Select(t => (CriteriaValue)new CriteriaValue.Text(t))]),
        };
    }

    /// <summary>The criteria that choose a repository's manifest or list by its digest, for a removal of it.</summary>
    public static UnitCriteria ManifestWithDigest(Digest digest) => new(RepositoryContent.ManifestTypeIds.ToArray(), 0, null)
    {
        UnitFilter = new Condition.FieldTest(DigestField, TestOperator.Equal, [new CriteriaValue.Text(digest.ToString())]),
    };

    /// <summary>A unit as people name it: a tag by its name, content by its digest.</summary>
    public static string Describe(Unit unit)
    {
        ArgumentNullException.ThrowIfNull(unit);
        return unit.TypeId switch
        {
            DockerUnitTypes.Tag => $"tag {unit.Key[DockerUnitTypes.Fields.Name]}",
            DockerUnitTypes.ManifestList => $"list {unit.Key[DockerUnitTypes.Fields.Digest]}",
            DockerUnitTypes.Manifest => $"manifest {unit.Key[DockerUnitTypes.Fields.Digest]}",
            DockerUnitTypes.Blob => $"blob {unit.Key[DockerUnitTypes.Fields.Digest]}",
            _ => $"{unit.TypeId} {unit.Key}",
        };
    }

    /// <summary>How many of each kind a promotion brings, in the kinds people count (tags, manifests, blobs), with the blobs' bytes.</summary>
    public static (ContentCounts Counts, long BlobBytes) Count(IEnumerable<Unit> units)
    {
        ArgumentNullException.ThrowIfNull(units);
        var list = units.ToList();
        var blobs = list.Where(u => u.TypeId == DockerUnitTypes.Blob).ToList();
        return (
            new ContentCounts(
                list.Count(u => u.TypeId == DockerUnitTypes.Tag),
                list.Count(u => u.TypeId is DockerUnitTypes.Manifest or DockerUnitTypes.ManifestList),
                blobs.Count),
            blobs.Sum(b => b.Metadata[DockerUnitTypes.Fields.Size] is JsonValue size && CriteriaValue.NumberOf(size) is { } bytes ? (long)bytes : 0));
    }

    /// <summary>The name a tag unit gives, for lists of what a promotion sets.</summary>
    public static string? TagNameOf(Unit unit) =>
        unit?.TypeId == DockerUnitTypes.Tag ? unit.Key[DockerUnitTypes.Fields.Name] : null;

    /// <summary>The digest a tag of the repository points at; <see langword="null"/> when it has no such tag.</summary>
    public async Task<string?> TaggedAsync(Repository repository, string tag, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        return TagName.TryParse(tag, out var name, out _) && await content.FindTagAsync(repository, name, cancellationToken) is { } unit
            ? unit.Metadata[DockerUnitTypes.Fields.ManifestDigest]?.GetValue<string>()
            : null;
    }

    /// <summary>A manifest or index of the repository, described; <see langword="null"/> when the repository does not hold it.</summary>
    public async Task<ImageDetails?> ImageAsync(Repository repository, Digest digest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        if (await content.FindManifestAsync(repository, digest, cancellationToken) is not { } unit ||
            await cache.ReadAsync(Digest.Parse(unit.ContentDigest!), cancellationToken) is not { } bytes)
        {
            return null;
        }

        var manifest = ManifestParser.Parse(bytes);
        var details = new ImageDetails
        {
            Digest = digest.ToString(),
            MediaType = manifest.EffectiveMediaType,
            IsList = manifest is ImageIndex,
            Bytes = bytes,
            Pretty = JsonNode.Parse(bytes)?.ToJsonString(Indented) ?? string.Empty,
            ArtifactType = manifest.ArtifactType,
            Annotations = manifest.Annotations ?? new Dictionary<string, string>(),
            Subject = manifest.Subject?.Digest.ToString(),
            Referrers = await ReferrersAsync(repository, digest, cancellationToken),
            Tags = await TagsOfAsync(repository, digest, cancellationToken),
            HeldBy = unit.Id is { } id && (await units.RepositoriesOfAsync([id], cancellationToken)).TryGetValue(id, out var held) ? held : [],
        };

        return manifest switch
        {
            ImageManifest image => await WithBlobsAsync(details, repository, image, cancellationToken),
            ImageIndex index => details with { Children = await ChildrenAsync(repository, index, cancellationToken) },
            _ => details,
        };
    }

    /// <summary>A repository's unit counts by type, in the kinds people count.</summary>
    public static ContentCounts Count(IReadOnlyDictionary<string, long> byType)
    {
        ArgumentNullException.ThrowIfNull(byType);
        long Of(string type) => byType.TryGetValue(type, out var count) ? count : 0;
        return new ContentCounts(Of(DockerUnitTypes.Tag), Of(DockerUnitTypes.Manifest) + Of(DockerUnitTypes.ManifestList), Of(DockerUnitTypes.Blob));
    }

    /// <summary>The platform of an index entry as people write it: <c>os/architecture[/variant]</c>.</summary>
    public static string? PlatformText(Platform? platform) =>
        platform is null ? null : platform.Variant is { Length: > 0 } variant ? $"{platform.Os}/{platform.Architecture}/{variant}" : $"{platform.Os}/{platform.Architecture}";

    /// <summary>
    /// Which kind of referrer an artifact type is: what signs, what lists contents (an SBOM), what attests. Tools name
    /// their types freely, so this goes by the words they use.
    /// </summary>
    public static string KindOf(string? artifactType)
    {
        var type = artifactType ?? string.Empty;
        return type switch
        {
            _ when type.Contains("signature", StringComparison.OrdinalIgnoreCase) || type.Contains(".sig.", StringComparison.OrdinalIgnoreCase) ||
                   type.Contains("sigstore.bundle", StringComparison.OrdinalIgnoreCase) => ReferrerKinds.Signatures,
            _ when type.Contains("spdx", StringComparison.OrdinalIgnoreCase) || type.Contains("cyclonedx", StringComparison.OrdinalIgnoreCase) ||
                   type.Contains("sbom", StringComparison.OrdinalIgnoreCase) || type.Contains("syft", StringComparison.OrdinalIgnoreCase) => ReferrerKinds.Sboms,
            _ when type.Contains("in-toto", StringComparison.OrdinalIgnoreCase) || type.Contains("attestation", StringComparison.OrdinalIgnoreCase) ||
                   type.Contains("provenance", StringComparison.OrdinalIgnoreCase) => ReferrerKinds.Attestations,
            _ => ReferrerKinds.Other,
        };
    }

    private Task<IReadOnlyDictionary<string, Unit>> ManifestsAsync(Repository repository, IReadOnlyCollection<string> digests, CancellationToken cancellationToken) =>
        HeldAsync(repository, RepositoryContent.ManifestTypeIds, digests, cancellationToken);

    /// <summary>Those of the units of these types with these digests that the repository holds, by digest: one lookup a type.</summary>
    private async Task<IReadOnlyDictionary<string, Unit>> HeldAsync(
        Repository repository, IReadOnlyList<string> typeIds, IReadOnlyCollection<string> digests, CancellationToken cancellationToken)
    {
        var keys = digests.Select(d => UnitKey.Of(DockerUnitTypes.Fields.Digest, d)).ToList();
        var found = new Dictionary<string, Unit>(StringComparer.Ordinal);
        if (keys.Count == 0)
        {
            return found;
        }

        foreach (var type in typeIds)
        {
            foreach (var unit in await units.FindInRepositoryAsync(repository.Id, type, keys, cancellationToken))
            {
                found.TryAdd(unit.Key[DockerUnitTypes.Fields.Digest]!, unit);
            }
        }

        return found;
    }

    private async Task<Manifest?> ParseAsync(Unit manifest, CancellationToken cancellationToken)
    {
        if (manifest.ContentDigest is not { } stored || await cache.ReadAsync(Digest.Parse(stored), cancellationToken) is not { } bytes)
        {
            return null;
        }

        try
        {
            return ManifestParser.Parse(bytes);
        }
        catch (ManifestInvalidException)
        {
            // Stored before today's parser refused its shape: listed without what only parsing tells.
            return null;
        }
    }

    private static long SizeOf(ImageManifest image) => image.Config.Size + image.Layers.Sum(l => l.Size);

    /// <summary>An image's config and layers, with whether the repository holds each, looked up together.</summary>
    private async Task<ImageDetails> WithBlobsAsync(ImageDetails details, Repository repository, ImageManifest image, CancellationToken cancellationToken)
    {
        var held = await HeldAsync(
            repository, [DockerUnitTypes.Blob], [.. image.Layers.Prepend(image.Config).Select(b => b.Digest.ToString()).Distinct(StringComparer.Ordinal)], cancellationToken);
        BlobRow Row(Descriptor blob) => new(blob.Digest.ToString(), blob.MediaType, blob.Size, held.ContainsKey(blob.Digest.ToString()));
        return details with
        {
            Config = Row(image.Config),
            Layers = [.. image.Layers.Select(Row)],
            Size = SizeOf(image),
            Summary = held.ContainsKey(image.Config.Digest.ToString()) ? await SummaryAsync(image.Config, cancellationToken) : null,
        };
    }

    private async Task<IReadOnlyList<ChildRow>> ChildrenAsync(Repository repository, ImageIndex index, CancellationToken cancellationToken)
    {
        var held = await ManifestsAsync(repository, [.. index.Manifests.Select(m => m.Digest.ToString()).Distinct()], cancellationToken);
        return [.. index.Manifests.Select(m => new ChildRow(
            m.Digest.ToString(), m.MediaType, m.Size, PlatformText(m.Platform), m.ArtifactType, held.ContainsKey(m.Digest.ToString())))];
    }

    private async Task<IReadOnlyList<ReferrerGroup>> ReferrersAsync(Repository repository, Digest subject, CancellationToken cancellationToken)
    {
        var referrers = await content.ReferrersOfAsync(repository, subject, cancellationToken);
        return [.. referrers
            .Select(r => new ReferrerRow(
                r.ContentDigest ?? string.Empty,
                RepositoryContent.ArtifactTypeOf(r),
                (r.Metadata[DockerUnitTypes.Fields.Annotations] as JsonObject)?.ToDictionary(a => a.Key, a => a.Value?.ToString() ?? string.Empty) ?? []))
            .GroupBy(r => KindOf(r.ArtifactType))
            .OrderBy(g => Array.IndexOf(ReferrerKinds.InOrder, g.Key))
            .Select(g => new ReferrerGroup(g.Key, [.. g.OrderBy(r => r.Digest, StringComparer.Ordinal)]))];
    }

    private async Task<IReadOnlyList<string>> TagsOfAsync(Repository repository, Digest digest, CancellationToken cancellationToken)
    {
        var criteria = new UnitCriteria([DockerUnitTypes.Tag], 0, null)
        {
            UnitFilter = new Condition.FieldTest(ManifestDigestField, TestOperator.Equal, [new CriteriaValue.Text(digest.ToString())]),
            UnitSort = [new SortKey(NameField, Descending: false)],
        };
        return [.. (await units.SearchAsync(repository.Id, criteria, cancellationToken)).Select(t => t.Unit.Key[DockerUnitTypes.Fields.Name] ?? string.Empty)];
    }

    /// <summary>What an image's config says, read from content: only for a config the repository holds.</summary>
    private async Task<ConfigSummary?> SummaryAsync(Descriptor config, CancellationToken cancellationToken)
    {
        if (config.MediaType is not (MediaTypes.OciImageConfig or MediaTypes.DockerImageConfig) || config.Size > MaxConfigBytes ||
            await cache.ReadAsync(config.Digest, cancellationToken) is not { } bytes)
        {
            return null;
        }

        JsonObject? document;
        try
        {
            document = JsonNode.Parse(bytes) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }

        if (document is null)
        {
            return null;
        }

        var run = document["config"] as JsonObject;
        var platform = Text(document["os"]) is { } os && Text(document["architecture"]) is { } architecture
            ? PlatformText(new Platform { Os = os, Architecture = architecture, Variant = Text(document["variant"]) })
            : null;
        return new ConfigSummary
        {
            Platform = platform,
            Created = Text(document["created"]),
            Entrypoint = Strings(run?["Entrypoint"]),
            Cmd = Strings(run?["Cmd"]),
            WorkingDir = Text(run?["WorkingDir"]),
            User = Text(run?["User"]),
            Env = Strings(run?["Env"]),
            Labels = run?["Labels"] is JsonObject labels ? [.. labels.Select(l => KeyValuePair.Create(l.Key, Text(l.Value) ?? string.Empty))] : [],
            History = document["history"] is JsonArray history
                ? [.. history.OfType<JsonObject>().Select(h => new HistoryRow(
                    Text(h["created"]), Text(h["created_by"]), Text(h["comment"]), h["empty_layer"] is JsonValue empty && empty.TryGetValue<bool>(out var e) && e))]
                : [],
        };
    }

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static IReadOnlyList<string> Strings(JsonNode? node) => node is JsonArray array ? [.. array.Select(Text).OfType<string>()] : [];
}
