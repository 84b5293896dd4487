using System.Text.Json.Nodes;
using Berth.Plugins;
using Berth.Server.Errors;
using Berth.Server.Repositories;
using Berth.Server.TagHistory;
using Berth.Server.Units;
using Docker.Common;

namespace Berth.Server.Promotion;

/// <summary>
/// Removes units from a repository (they stay stored, for other repositories and orphan collection). Removing a
/// manifest or list removes the tags that point at it here; a blob a remaining manifest needs, or a manifest a
/// remaining list needs, cannot go alone: the refusal names what still needs it.
/// </summary>
public sealed class RemovalService(IUnitStore units, TagHistoryRecorder tagHistory)
{
    public async Task<IReadOnlyList<Unit>> UnassociateAsync(Repository repository, UnitSelection selection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(selection);
        var all = (await units.SearchAsync(repository.Id, new UnitCriteria(null, 0, null), cancellationToken)).Select(m => m.Unit).ToList();
        var removing = all.Where(selection.Matches).ToList();
        var goingManifests = removing
            .Where(u => u.TypeId is DockerUnitTypes.Manifest or DockerUnitTypes.ManifestList)
            .Select(u => u.Key[DockerUnitTypes.Fields.Digest])
            .ToHashSet(StringComparer.Ordinal);
        removing.AddRange(all.Where(u => u.TypeId == DockerUnitTypes.Tag &&
            goingManifests.Contains(u.Metadata[DockerUnitTypes.Fields.ManifestDigest]?.GetValue<string>() ?? string.Empty) && !removing.Contains(u)));

        var going = removing.Select(u => u.Id).ToHashSet(StringComparer.Ordinal);
        var staying = all.Where(u => !going.Contains(u.Id)).ToList();
        var stillNeeded = new List<string>();
        foreach (var unit in removing.Where(u => u.TypeId is DockerUnitTypes.Blob or DockerUnitTypes.Manifest or DockerUnitTypes.ManifestList))
        {
            var digest = unit.Key[DockerUnitTypes.Fields.Digest]!;
            var needers = staying.Where(s => UnitReferences.Needs(s).Contains(digest)).Select(s => $"{s.TypeId} {s.Key[DockerUnitTypes.Fields.Digest]}").ToList();
            if (needers.Count > 0)
            {
                stillNeeded.Add($"{unit.TypeId} {digest} is needed by {string.Join(", ", needers)}");
            }
        }

        if (stillNeeded.Count > 0)
        {
            throw ApiException.Invalid(
                $"nothing was removed: {string.Join("; ", stillNeeded)}; remove those too, in the same request",
                new JsonObject { ["still_needed"] = new JsonArray([.. stillNeeded.Select(s => JsonValue.Create(s))]) });
        }

        await units.UnassociateAsync(repository.Id, [.. going.OfType<string>()], cancellationToken);
        foreach (var tag in removing.Where(u => u.TypeId == DockerUnitTypes.Tag))
        {
            await tagHistory.RecordAsync(
                repository.Id, tag.Key[DockerUnitTypes.Fields.Name]!, tag.Metadata[DockerUnitTypes.Fields.ManifestDigest]?.GetValue<string>(), null, cancellationToken);
        }

        return removing;
    }
}
