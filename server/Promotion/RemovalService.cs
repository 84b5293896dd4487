using System.Text.Json.Nodes;
using Berth.Plugins;
using Berth.Server.Errors;
using Berth.Server.Orphans;
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
public sealed class RemovalService(IUnitStore units, TagHistoryRecorder tagHistory, ReferenceGuard guard)
{
    public async Task<IReadOnlyList<Unit>> UnassociateAsync(Repository repository, UnitSelection selection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(selection);
        var removing = await PlanAsync(repository, selection, cancellationToken);
        var keys = Condemn(guard, repository.Id, removing);
        try
        {
            // Planned again now that no import can come to rely on these units: one may have committed in between.
            var again = await PlanAsync(repository, selection, cancellationToken);
            if (!again.Select(u => u.Id).ToHashSet(StringComparer.Ordinal).SetEquals(removing.Select(u => u.Id)))
            {
                throw InUse();
            }

            await units.UnassociateAsync(repository.Id, [.. removing.Select(u => u.Id!)], cancellationToken);
        }
        finally
        {
            guard.Release(keys);
        }

        foreach (var tag in removing.Where(u => u.TypeId == DockerUnitTypes.Tag))
        {
            await tagHistory.RecordAsync(repository.Id, tag.Key[DockerUnitTypes.Fields.Name]!, UnitReferences.TagTarget(tag), null, cancellationToken);
        }

        return removing;
    }

    /// <summary>
    /// Condemns the units' places in the repository, so that no import can rely on them while they are removed;
    /// refuses (409) while an import under way already does. The caller releases the returned keys.
    /// </summary>
    internal static IReadOnlyList<string> Condemn(ReferenceGuard guard, RepositoryId repositoryId, IEnumerable<Unit> removing)
    {
        var keys = removing.Select(u => ReferenceGuard.MemberKey(repositoryId.Value, u.TypeId, u.Key)).Distinct(StringComparer.Ordinal).ToList();
        return guard.TryCondemn(keys) ? keys : throw InUse();
    }

    private static ApiException InUse() => new(
        ApiError.ContentInUse, "an import or push under way relies on some of these units; nothing was removed: try again in a moment");

    private async Task<List<Unit>> PlanAsync(Repository repository, UnitSelection selection, CancellationToken cancellationToken)
    {
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

        return removing;
    }
}
