using Berth.Server.Diagnostics;
using Berth.Server.Errors;
using Berth.Server.Events;
using Berth.Server.Membership;
using Berth.Server.Repositories;

namespace Berth.Server.Retention;

/// <summary>
/// Applies repositories' retention policies: on demand (with a dry run that only lists) and on the schedule.
/// Removed units stay stored until orphan collection takes them (after its grace period), like any removal.
/// </summary>
public sealed class RetentionService(
    IRetentionPolicyStore policies,
    IRepositoryStore repositories,
    MembershipService membership,
    EventAnnouncer events,
    TimeProvider clock,
    ILogger<RetentionService> logger)
{
    /// <summary>What the repository's policy removes now; removed unless <paramref name="dryRun"/>.</summary>
    public async Task<RetentionPlan> ApplyAsync(RepositoryId repositoryId, bool dryRun, CancellationToken cancellationToken)
    {
        var policy = await policies.FindAsync(repositoryId, cancellationToken)
            ?? throw new NotFoundException("retention policy", repositoryId.Value);
        if (dryRun)
        {
            return await PreviewAsync(repositoryId, policy, cancellationToken);
        }

        var now = clock.GetUtcNow();

        // Planned twice by the removal, the second time under its condemnation; what it removed is the last plan.
        RetentionPlan? plan = null;
        await membership.RemoveAsync(
            repositoryId,
            graph => (plan = RetentionPlan.For(graph, policy, now)).All,
            "retention.apply",
            repositoryId.Value,
            (work, units) => events.AnnounceAsync(work, EventActions.Retention, repositoryId, name => new EventTarget { Repository = name, Units = units.Count }),
            cancellationToken);
        ServerMetrics.RetentionRuns.Add(1);
        ServerMetrics.RetentionUnitsRemoved.Add(plan!.Count);
        if (plan.Count > 0)
        {
            logger.LogInformation(
            "Retention in {Repository}: {Names} tags, {Named} manifests and {Others} other units removed",
            repositoryId.Value, plan.Names.Count, plan.Named.Count, plan.Others.Count);
        }

        return plan;
    }

    /// <summary>What <paramref name="policy"/> would remove from the repository now, saved or not; nothing changes.</summary>
    public async Task<RetentionPlan> PreviewAsync(RepositoryId repositoryId, RetentionPolicy policy, CancellationToken cancellationToken) =>
        RetentionPlan.For(await membership.GraphAsync(repositoryId, cancellationToken), policy, clock.GetUtcNow());

    /// <summary>
    /// Removes the named tags from the repository with what only they named, exactly as a policy that keeps none of them
    /// would (a mirroring sync, for the tags its upstream dropped); answers what was removed.
    /// </summary>
    public async Task<IReadOnlyList<Berth.Plugins.Unit>> RemoveNamesAsync(
        RepositoryId repositoryId, IReadOnlyCollection<string> names, string action, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(names);
        if (names.Count == 0)
        {
            return [];
        }

        var policy = new RetentionPolicy([.. names.Distinct(StringComparer.Ordinal).Select(n => new TagRule(n, 0))], null);
        var now = clock.GetUtcNow();
        var removed = await membership.RemoveAsync(
            repositoryId,
            graph => RetentionPlan.For(graph, policy, now).All,
            action,
            repositoryId.Value,
            (work, units) => events.AnnounceAsync(work, EventActions.Remove, repositoryId, name => new EventTarget { Repository = name, Units = units.Count }),
            cancellationToken);
        if (removed.Count > 0)
        {
            logger.LogInformation("{Action} in {Repository}: {Count} units removed", action, repositoryId.Value, removed.Count);
        }

        return removed;
    }

    /// <summary>Applies every repository's policy; one failing does not stop the others.</summary>
    public async Task ApplyAllAsync(CancellationToken cancellationToken)
    {
        foreach (var (repositoryId, _) in await policies.ListAsync(cancellationToken))
        {
            try
            {
                if (await repositories.FindAsync(repositoryId, cancellationToken) is not null)
                {
                    await ApplyAsync(repositoryId, dryRun: false, cancellationToken);
                }
            }
            catch (ContentInUseException e)
            {
                logger.LogInformation("Retention in {Repository} waits for the next run: {Reason}", repositoryId.Value, e.Message);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Retention in {Repository} failed; the other repositories go on", repositoryId.Value);
            }
        }
    }
}
