using Berth.Plugins;
using Berth.Server.Events;
using Berth.Server.Repositories;
using Berth.Server.Units;

namespace Berth.Server.Membership;

/// <summary>
/// Removes the units a criteria chooses from a repository, with the names of what goes, and announces it: what
/// <c>unassociate</c> does, and what the web UI shows first (<see cref="PlanAsync"/>) and then does.
/// </summary>
public sealed class MemberRemoval(MembershipService membership, EventAnnouncer events)
{
    /// <summary>What would go, checked as the removal checks it; nothing changes.</summary>
    public async Task<IReadOnlyList<Unit>> PlanAsync(RepositoryId repositoryId, UnitCriteria criteria, CancellationToken cancellationToken)
    {
        var chosen = await membership.ChosenAsync(repositoryId, criteria, cancellationToken);
        return await membership.RemovalAsync(repositoryId, graph => graph.Units.Where(unit => chosen.Contains(unit.Id!)), cancellationToken);
    }

    public async Task<IReadOnlyList<Unit>> RemoveAsync(RepositoryId repositoryId, UnitCriteria criteria, CancellationToken cancellationToken)
    {
        var chosen = await membership.ChosenAsync(repositoryId, criteria, cancellationToken);
        return await membership.RemoveAsync(
            repositoryId,
            graph => graph.Units.Where(unit => chosen.Contains(unit.Id!)),
            "unassociate",
            repositoryId.Value,
            (work, units) => events.AnnounceAsync(work, EventActions.Remove, repositoryId, name => new EventTarget { Repository = name, Units = units.Count }),
            cancellationToken);
    }
}
