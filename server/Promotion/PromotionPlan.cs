using System.Text.Json.Nodes;
using Berth.Plugins;
using Berth.Server.Errors;
using Docker.Common;

namespace Berth.Server.Promotion;

/// <summary>
/// What promoting a selection of units brings along, in the order it can be associated: blobs, then manifests (a
/// list after its manifests), then tags. A tag brings the manifest or list it points at; a list its manifests; a
/// manifest its config and layers (foreign layers, which registries do not hold, excepted).
/// </summary>
public sealed record PromotionPlan(IReadOnlyList<Unit> Blobs, IReadOnlyList<Unit> Manifests, IReadOnlyList<Unit> Tags)
{
    public IEnumerable<string> TypeIds => Blobs.Concat(Manifests).Concat(Tags).Select(u => u.TypeId).Distinct(StringComparer.Ordinal);

    /// <param name="source">Every unit of the source repository.</param>
    /// <param name="selected">What was asked for.</param>
    /// <param name="sourceId">The source's id, for messages.</param>
    /// <param name="withReferrers">Also bring every manifest whose subject is a manifest that goes (signatures, SBOMs, and theirs).</param>
    public static PromotionPlan For(IReadOnlyList<Unit> source, IEnumerable<Unit> selected, string sourceId, bool withReferrers = false)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(selected);
        var byDigest = source
            .Where(u => u.TypeId is DockerUnitTypes.Blob or DockerUnitTypes.Manifest or DockerUnitTypes.ManifestList)
            .GroupBy(u => (u.TypeId == DockerUnitTypes.Blob, u.Key[DockerUnitTypes.Fields.Digest]))
            .ToDictionary(g => g.Key, g => g.First());
        var blobs = new List<Unit>();
        var manifests = new List<Unit>();
        var tags = new List<Unit>();
        var seen = new HashSet<string>(StringComparer.Ordinal);

        foreach (var unit in selected)
        {
            switch (unit.TypeId)
            {
                case DockerUnitTypes.Tag:
                    AddManifest(unit.Metadata[DockerUnitTypes.Fields.ManifestDigest]?.GetValue<string>(), $"tag {unit.Key[DockerUnitTypes.Fields.Name]}");
                    tags.Add(unit);
                    break;
                case DockerUnitTypes.Manifest or DockerUnitTypes.ManifestList:
                    AddManifest(unit.Key[DockerUnitTypes.Fields.Digest], "the selection");
                    break;
                case DockerUnitTypes.Blob:
                    AddBlob(unit.Key[DockerUnitTypes.Fields.Digest], "the selection", foreign: false);
                    break;
                default:
                    throw ApiException.Invalid($"units of type {unit.TypeId} cannot be promoted yet");
            }
        }

        // Referrers of what goes, and referrers of those, until nothing new refers to anything going.
        for (var added = withReferrers; added;)
        {
            var going = manifests.Select(m => m.Key[DockerUnitTypes.Fields.Digest]).ToHashSet(StringComparer.Ordinal);
            var referrers = source
                .Where(u => u.TypeId is DockerUnitTypes.Manifest or DockerUnitTypes.ManifestList && u.Metadata[DockerUnitTypes.Fields.Subject]?.GetValue<string>() is { } subject && going.Contains(subject))
                .Select(u => u.Key[DockerUnitTypes.Fields.Digest])
                .Where(d => !going.Contains(d!))
                .ToList();
            referrers.ForEach(d => AddManifest(d, "a referrer"));
            added = referrers.Count > 0;
        }

        return new PromotionPlan(blobs, manifests, tags);

        void AddManifest(string? digest, string neededBy)
        {
            if (digest is null || !seen.Add("m" + digest))
            {
                return;
            }

            if (!byDigest.TryGetValue((false, digest), out var manifest))
            {
                throw Incomplete(digest, neededBy);
            }

            foreach (var child in manifest.Metadata[DockerUnitTypes.Fields.Manifests] as JsonArray ?? [])
            {
                AddManifest(child?[DockerUnitTypes.Fields.Digest]?.GetValue<string>(), digest);
            }

            var references = new[] { manifest.Metadata[DockerUnitTypes.Fields.Config] }.Concat(manifest.Metadata[DockerUnitTypes.Fields.Layers] as JsonArray ?? []);
            foreach (var reference in references.OfType<JsonObject>())
            {
                var foreign = MediaTypes.IsNonDistributable(reference[DockerUnitTypes.Fields.MediaType]?.GetValue<string>() ?? string.Empty) &&
                    reference[DockerUnitTypes.Fields.Urls] is JsonArray { Count: > 0 };
                AddBlob(reference[DockerUnitTypes.Fields.Digest]?.GetValue<string>(), digest, foreign);
            }

            manifests.Add(manifest);
        }

        void AddBlob(string? digest, string neededBy, bool foreign)
        {
            if (digest is null || !seen.Add("b" + digest))
            {
                return;
            }

            if (byDigest.TryGetValue((true, digest), out var blob))
            {
                blobs.Add(blob);
            }
            else if (!foreign)
            {
                throw Incomplete(digest, neededBy);
            }
        }

        ApiException Incomplete(string digest, string neededBy) => ApiException.Invalid(
            $"repository '{sourceId}' lacks {digest}, which {neededBy} needs; nothing was promoted");
    }
}
