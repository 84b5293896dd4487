using Berth.Server.Errors;
using Berth.Server.Orphans;
using Berth.Server.Promotion;
using Berth.Server.Repositories;
using Berth.Server.TagHistory;
using Berth.Server.Units;
using Docker.Common;

namespace Berth.Server.Retention;

/// <summary>
/// Applies repositories' retention policies: on demand (with a dry run that only lists) and on the schedule.
/// Removed units stay stored until orphan collection takes them (after its grace period), like any removal.
/// </summary>
public sealed class RetentionService(
    IRetentionPolicyStore policies,
    IRepositoryStore repositories,
    IUnitStore units,
    TagHistoryRecorder tagHistory,
    ReferenceGuard guard,
    TimeProvider clock,
    ILogger<RetentionService> logger)
{
    /// <summary>What the repository's policy removes now; removed unless <paramref name="dryRun"/>.</summary>
    public async Task<RetentionPlan> ApplyAsync(RepositoryId repositoryId, bool dryRun, CancellationToken cancellationToken)
    {
        var policy = await policies.FindAsync(repositoryId, cancellationToken)
            ?? throw ApiException.NotFound("retention policy", repositoryId.Value);
        var now = clock.GetUtcNow();
        var plan = RetentionPlan.For(await units.SearchAsync(repositoryId, new UnitCriteria(null, 0, null), cancellationToken), policy, now);
        if (dryRun || plan.Count == 0)
        {
            return plan;
        }

        var keys = RemovalService.Condemn(guard, repositoryId, plan.All);
        try
        {
            // Planned again now that no import can come to rely on these units: one may have committed in between.
            var again = RetentionPlan.For(await units.SearchAsync(repositoryId, new UnitCriteria(null, 0, null), cancellationToken), policy, now);
            if (!again.All.Select(u => u.Id).ToHashSet(StringComparer.Ordinal).SetEquals(plan.All.Select(u => u.Id)))
            {
                throw new ApiException(ApiError.ContentInUse, "the repository changed while its retention policy was applied; nothing was removed: try again");
            }

            await units.UnassociateAsync(repositoryId, [.. plan.All.Select(u => u.Id!)], cancellationToken);
        }
        finally
        {
            guard.Release(keys);
        }

        foreach (var tag in plan.Tags)
        {
            await tagHistory.RecordAsync(repositoryId, tag.Key[DockerUnitTypes.Fields.Name]!, UnitReferences.TagTarget(tag), null, cancellationToken);
        }

        logger.LogInformation(
            "Retention in {Repository}: {Tags} tags, {Manifests} manifests and {Blobs} blobs removed",
            repositoryId.Value, plan.Tags.Count, plan.Manifests.Count, plan.Blobs.Count);
        return plan;
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
            catch (ApiException e) when (e.Error == ApiError.ContentInUse)
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
