using System.Text.Json.Nodes;
using Berth.Plugins;
using Berth.Server.Errors;
using Berth.Server.Events;
using Berth.Server.Imports;
using Berth.Server.Membership;
using Berth.Server.Repositories;

namespace Berth.Server.Promotion;

/// <summary>
/// Copies units from one repository to another without copying a byte: units are shared, so promotion is
/// association. The destination must have importers for every type that goes (checked before anything is
/// associated); names are set through its importer for them, last, so that a promoted name never points at something
/// incomplete. A cross-repository mount of the registry is a promotion of one blob.
/// </summary>
public sealed class PromotionService(MembershipService membership, ImportService imports, UnitTypes types, EventAnnouncer events)
{
    public async Task<IReadOnlyList<Unit>> AssociateAsync(Repository destination, Repository source, AssociateCommand command, CancellationToken cancellationToken)
    {
        var plan = await PlanAsync(destination, source, command, cancellationToken);
        return await PromoteAsync(destination, source, plan, "associate", Promoted(destination, source), cancellationToken);
    }

    /// <summary>
    /// What an association would bring, checked as it would be (the destination's importers, the source's completeness),
    /// with nothing changed: the web UI shows it before the reader confirms.
    /// </summary>
    public async Task<PromotionPlan> PlanAsync(Repository destination, Repository source, AssociateCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(command);
        if (destination.Id == source.Id)
        {
            throw ApiException.Invalid("source_repo_id names the destination itself");
        }

        var chosen = await membership.ChosenAsync(source.Id, command.Criteria, cancellationToken);
        var graph = await membership.GraphAsync(source.Id, cancellationToken);
        var plan = PromotionPlan.For(graph, graph.Units.Where(unit => chosen.Contains(unit.Id!)), command.WithReferrers);
        foreach (var typeId in plan.TypeIds)
        {
            await imports.RequireImporterAsync(destination.Id, typeId, cancellationToken);
        }

        return plan;
    }

    /// <summary>
    /// Promotes one unit (a blob the registry is asked to mount) with what it needs, when the destination can take it:
    /// <see langword="null"/>, and nothing done, when the source does not hold it whole or the destination has no importer
    /// for one of its types.
    /// </summary>
    public async Task<IReadOnlyList<Unit>?> TryPromoteAsync(
        Repository destination, Repository source, Unit unit, MembershipReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(source);
        var graph = await membership.GraphAsync(source.Id, cancellationToken);
        if (!graph.Contains(unit))
        {
            return null;
        }

        PromotionPlan plan;
        try
        {
            plan = PromotionPlan.For(graph, [unit]);
        }
        catch (UnitsIncompleteException)
        {
            return null;
        }

        foreach (var typeId in plan.TypeIds)
        {
            if (!await imports.AcceptsAsync(destination.Id, typeId, cancellationToken))
            {
                return null;
            }
        }

        return await PromoteAsync(destination, source, plan, "push.mount", report, cancellationToken);
    }

    private async Task<IReadOnlyList<Unit>> PromoteAsync(
        Repository destination, Repository source, PromotionPlan plan, string action, MembershipReport report, CancellationToken cancellationToken)
    {
        await membership.AddAllAsync(destination.Id, plan.Contents, action, $"{source.Id} -> {destination.Id}", report, cancellationToken);
        var associated = new List<Unit>(plan.Contents);
        foreach (var name in plan.Names)
        {
            var naming = types.NamingOf(name.TypeId)!;
            associated.Add(await imports.ImportWithoutUploadAsync(
                destination.Id,
                name.TypeId,
                new JsonObject { [naming.NameField] = types.NameOf(name) },
                new JsonObject { [naming.TargetField] = UnitTypes.TargetValueOf(name) },
                (work, named) => report(work, [named]),
                cancellationToken));
        }

        return associated;
    }

    /// <summary>A promotion's report: one event per step (the contents, then each name), each naming the source.</summary>
    private MembershipReport Promoted(Repository destination, Repository source) => async (work, units) =>
    {
        if (!events.IsOn)
        {
            return;
        }

        var from = await events.RepositoryNameAsync(source.Id);
        await events.AnnounceAsync(work, EventActions.Promote, destination.Id, name => new EventTarget
        {
            Repository = name,
            FromRepository = from,
            Units = units.Count,
            Tag = units.Count == 1 && types.IsName(units[0]) ? types.NameOf(units[0]) : null,
        });
    };
}
