using System.Text.Json.Nodes;
using Berth.Plugins;
using Berth.Server.Errors;
using Berth.Server.Importers;
using Berth.Server.Imports;
using Berth.Server.Plugins;
using Berth.Server.PullThrough;
using Berth.Server.Repositories;
using Berth.Server.Retention;
using Berth.Server.Tasks;
using Berth.Server.Units;

namespace Berth.Server.Sync;

/// <summary>
/// Starts a repository's sync as a task, through the sync importer registered on it (any plugin that is an
/// <see cref="ISyncImporter"/>); the server knows nothing of what it syncs from.
/// </summary>
public sealed class SyncService(
    IRepositoryStore repositories,
    IImporterRegistrationStore registrations,
    PluginCatalog catalog,
    ImportService imports,
    IUnitStore units,
    RetentionService retention,
    FeedDownloads downloads,
    TaskRunner tasks)
{
    /// <summary>
    /// Starts a sync of the repository with the registered configuration, overlaid by <paramref name="overrideConfig"/>;
    /// answers the task, or the repository's unended task when it has one (then nothing starts).
    /// </summary>
    public async Task<(TaskRecord Task, bool Created)> StartAsync(RepositoryId repositoryId, JsonObject? overrideConfig, CancellationToken cancellationToken)
    {
        _ = await repositories.FindAsync(repositoryId, cancellationToken) ?? throw new NotFoundException("repository", repositoryId.Value);
        var registered = await registrations.ListAsync(repositoryId, cancellationToken);
        var (importer, registration) = registered
            .Select(r => (Importer: catalog.FindImporter(r.ImporterTypeId), Registration: r))
            .FirstOrDefault(r => r.Importer?.Importer is ISyncImporter);
        if (importer?.Importer is not ISyncImporter syncImporter)
        {
            var available = catalog.Importers.Where(i => i.Importer is ISyncImporter).Select(i => i.Id).ToList();
            throw new ApiException(
                ApiError.InvalidRequest,
                $"repository '{repositoryId}' has no importer that syncs; register one with its feed " +
                $"(POST /pulp/api/v2/repositories/{repositoryId}/importers/ with importer_type_id {(available.Count > 0 ? string.Join(" or ", available) : "of a sync importer; none is loaded")})",
                new JsonObject { ["importers"] = new JsonArray([.. registered.Select(r => JsonValue.Create(r.ImporterTypeId))]) });
        }

        // An override the importer refuses is refused here, before a task starts.
        var (_, config) = ImportService.Configs(importer, registration, overrideConfig);
        var conduit = new SyncConduit(repositoryId, importer, imports, units, retention, downloads);
        return await tasks.StartAsync(
            repositoryId,
            TaskKind.Sync,
            importer.Id,
            async (progress, token) => await syncImporter.SyncAsync(new SyncRequest { Config = config, Limits = imports.Limits, Progress = progress }, conduit, token),
            cancellationToken);
    }
}
