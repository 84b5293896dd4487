using System.Text.Json.Nodes;
using Berth.Plugins;
using Berth.Server.Errors;
using Berth.Server.Importers;
using Berth.Server.Imports;
using Berth.Server.Plugins;
using Berth.Server.Repositories;

namespace Berth.Server.Sync;

/// <summary>
/// Sync schedules (Pulp 2's <c>.../importers/{importer}/schedules/sync/</c>): made for a sync importer registered on the
/// repository, and run by the leading server, which starts each due run as a sync task (a repository already syncing is
/// answered its running task, so runs never overlap).
/// </summary>
public sealed class SyncScheduleService(
    ISyncScheduleStore store, IImporterRegistrationStore registrations, PluginCatalog catalog, SyncService syncs, TimeProvider clock, ILogger<SyncScheduleService> logger)
{
    private const string Body = "request";

    public async Task<SyncSchedule> CreateAsync(RepositoryId repositoryId, string importerTypeId, JsonObject body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        RequestFields.RejectUnknown(body, Body, ContentError.InvalidRequest, "schedule", "enabled", "override_config");
        var text = RequestFields.RequireString(body, "schedule", Body, ContentError.InvalidRequest);
        var now = clock.GetUtcNow();
        var (first, interval) = SyncScheduleSpec.Parse(text, now);
        var overrideConfig = await CheckedOverrideAsync(repositoryId, importerTypeId, body, cancellationToken);
        var schedule = new SyncSchedule(
            Guid.NewGuid().ToString("N"), repositoryId, importerTypeId, text, first, interval,
            RequestFields.OptionalBoolean(body, "enabled", Body, ContentError.InvalidRequest) ?? true,
            overrideConfig, SyncSchedule.NextAfter(first, interval, now - TimeSpan.FromTicks(1)), null, 0);
        return await store.AddAsync(schedule, cancellationToken) ? schedule : throw new NotFoundException("repository", repositoryId.Value);
    }

    public async Task<IReadOnlyList<SyncSchedule>> ListAsync(RepositoryId repositoryId, string importerTypeId, CancellationToken cancellationToken)
    {
        _ = await SyncImporterAsync(repositoryId, importerTypeId, cancellationToken);
        return [.. (await store.ListAsync(repositoryId, cancellationToken)).Where(s => s.ImporterTypeId == importerTypeId)];
    }

    public async Task<SyncSchedule> GetAsync(RepositoryId repositoryId, string importerTypeId, string id, CancellationToken cancellationToken) =>
        (await ListAsync(repositoryId, importerTypeId, cancellationToken)).FirstOrDefault(s => s.Id == id) ?? throw new NotFoundException("schedule", id);

    /// <summary>Pulp 2's update: <c>schedule</c>, <c>enabled</c> and <c>override_config</c>, each when given.</summary>
    public async Task<SyncSchedule> UpdateAsync(RepositoryId repositoryId, string importerTypeId, string id, JsonObject body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        RequestFields.RejectUnknown(body, Body, ContentError.InvalidRequest, "schedule", "enabled", "override_config");
        var current = await GetAsync(repositoryId, importerTypeId, id, cancellationToken);
        var now = clock.GetUtcNow();
        var changed = current with { Enabled = RequestFields.OptionalBoolean(body, "enabled", Body, ContentError.InvalidRequest) ?? current.Enabled };
        if (RequestFields.OptionalString(body, "schedule", Body, ContentError.InvalidRequest) is { } text)
        {
            var (first, interval) = SyncScheduleSpec.Parse(text, now);
            changed = changed with { Schedule = text, First = first, Interval = interval, NextRun = SyncSchedule.NextAfter(first, interval, now - TimeSpan.FromTicks(1)) };
        }

        if (body.ContainsKey("override_config"))
        {
            changed = changed with { OverrideConfig = await CheckedOverrideAsync(repositoryId, importerTypeId, body, cancellationToken) };
        }

        return await store.UpdateAsync(changed, cancellationToken) ? changed : throw new NotFoundException("schedule", id);
    }

    public async Task DeleteAsync(RepositoryId repositoryId, string importerTypeId, string id, CancellationToken cancellationToken)
    {
        _ = await GetAsync(repositoryId, importerTypeId, id, cancellationToken);
        if (!await store.DeleteAsync(repositoryId, id, cancellationToken))
        {
            throw new NotFoundException("schedule", id);
        }
    }

    /// <summary>Starts every enabled schedule's due run; one that cannot start is logged and tried at its next run.</summary>
    public async Task RunDueAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        foreach (var schedule in (await store.ListAsync(null, cancellationToken)).Where(s => s.Enabled && s.NextRun <= now))
        {
            try
            {
                var (task, created) = await syncs.StartAsync(schedule.RepositoryId, schedule.OverrideConfig, cancellationToken);
                logger.LogInformation(
                    "Scheduled sync of {Repository}: {Outcome} task {Task}", schedule.RepositoryId.Value, created ? "started" : "already running as", task.Id);
            }
            catch (Exception e) when (e is ApiException or ContentException or NotFoundException)
            {
                logger.LogWarning("Scheduled sync of {Repository} could not start: {Reason}", schedule.RepositoryId.Value, e.Message);
            }

            // A missed run is not made up: the next is the first due after now.
            await store.UpdateAsync(
                schedule with { LastRunAt = now, TotalRunCount = schedule.TotalRunCount + 1, NextRun = SyncSchedule.NextAfter(schedule.First, schedule.Interval, now) },
                cancellationToken);
        }
    }

    private async Task<JsonObject?> CheckedOverrideAsync(RepositoryId repositoryId, string importerTypeId, JsonObject body, CancellationToken cancellationToken)
    {
        var (importer, registration) = await SyncImporterAsync(repositoryId, importerTypeId, cancellationToken);
        var overrideConfig = (JsonObject?)RequestFields.OptionalObject(body, "override_config", Body, ContentError.InvalidRequest)?.DeepClone();
        _ = ImportService.Configs(importer, registration, overrideConfig);
        return overrideConfig;
    }

    private async Task<(LoadedImporter Importer, ImporterRegistration Registration)> SyncImporterAsync(
        RepositoryId repositoryId, string importerTypeId, CancellationToken cancellationToken)
    {
        var registration = (await registrations.ListAsync(repositoryId, cancellationToken)).FirstOrDefault(r => r.ImporterTypeId == importerTypeId)
            ?? throw new NotFoundException("importer", importerTypeId);
        var importer = catalog.FindImporter(importerTypeId) ?? throw new NotFoundException("importer", importerTypeId);
        return importer.Importer is ISyncImporter
            ? (importer, registration)
            : throw ApiException.Invalid($"{importerTypeId} does not sync: schedules are for a sync importer, such as docker_sync_importer");
    }
}
