using System.Text.Json.Nodes;
using Berth.Plugins;
using Berth.Server.Errors;
using Berth.Server.Imports;
using Berth.Server.Orphans;
using Berth.Server.Repositories;
using Berth.Server.Units;
using Docker.Common;

namespace Berth.Server.Promotion;

/// <summary>
/// Copies units from one repository to another without copying a byte: units are shared, so promotion is
/// association. The destination must have importers for every type that goes (checked before anything is
/// associated); tags are set through its tag importer, last, so that a promoted tag never points at something
/// incomplete.
/// </summary>
public sealed class PromotionService(IUnitStore units, ImportService imports, ReferenceGuard guard)
{
    public async Task<IReadOnlyList<Unit>> AssociateAsync(Repository destination, Repository source, AssociateCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(command);
        if (destination.Id == source.Id)
        {
            throw ApiException.Invalid("source_repo_id names the destination itself");
        }

        var all = (await units.SearchAsync(source.Id, new UnitCriteria(null, 0, null), cancellationToken)).Select(m => m.Unit).ToList();
        var selected = all.Where(command.Selection.Matches).ToList();
        var plan = PromotionPlan.For(all, selected, source.Id.Value, command.WithReferrers);
        foreach (var typeId in plan.TypeIds)
        {
            await imports.RequireImporterAsync(destination.Id, typeId, cancellationToken);
        }

        // Units are shared: held, so that orphan collection cannot take one between its lookup and its association here.
        using var hold = await guard.HoldAsync(plan.Blobs.Concat(plan.Manifests).Select(u => ReferenceGuard.UnitKey(u.TypeId, u.Key)), cancellationToken);
        var associated = new List<Unit>();
        foreach (var unit in plan.Blobs.Concat(plan.Manifests))
        {
            if (!await units.AssociateAsync(destination.Id, unit, cancellationToken))
            {
                throw ApiException.NotFound("repository", destination.Id.Value);
            }

            associated.Add(unit);
        }

        foreach (var tag in plan.Tags)
        {
            associated.Add(await imports.ImportWithoutUploadAsync(
                destination.Id,
                DockerUnitTypes.Tag,
                new JsonObject { [DockerUnitTypes.Fields.Name] = tag.Key[DockerUnitTypes.Fields.Name] },
                new JsonObject { [DockerUnitTypes.Fields.ManifestDigest] = tag.Metadata[DockerUnitTypes.Fields.ManifestDigest]?.DeepClone() },
                cancellationToken));
        }

        return associated;
    }
}
