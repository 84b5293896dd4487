using System.Text.Json.Nodes;
using Berth.Server.Access;
using Berth.Server.Importers;
using Berth.Server.Plugins;

namespace Berth.Server.Repositories;

/// <summary>
/// Changes a repository from a Pulp-style update (<c>{"delta"?, "importer_config"?}</c>), for the content API's
/// <c>PUT /repositories/{id}/</c> and the web UI alike: who may, what is checked first, and the audit line are the same
/// whichever door the change came through.
/// </summary>
public sealed class RepositoryUpdate(RepositoryService repositories, ImporterService importers, AccessControl access, Audit audit, PluginCatalog catalog)
{
    /// <summary>The repository a caller names, when they may change it; asked before its body is read.</summary>
    public Task<Repository> RequireAsync(HttpContext context, string repo) => access.RepositoryAsync(context, repo, AccessAction.Admin);

    /// <summary>Applies the update to a repository <see cref="RequireAsync"/> gave.</summary>
    public async Task<Repository> ApplyAsync(HttpContext context, Repository current, JsonObject body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(body);
        var command = UpdateRepositoryCommand.Read(body);
        if (command.RegistryName is { IsSet: true, Value: { } newName })
        {
            // Taking a registry name is like creating a repository under it: the name by itself must be the caller's.
            await access.RequireForNewRepositoryAsync(context, AccessAction.Admin, null, newName);
        }

        // The importers first: their configs are checked whole before anything changes, and a refused one changes nothing.
        if (command.ImporterConfig is { } importerConfig)
        {
            await importers.ChangeConfigAsync(current.Id, null, importerConfig, cancellationToken);
        }

        var repository = command.ChangesRepository ? await repositories.UpdateAsync(current.Id, command, cancellationToken) : current;
        await audit.RecordAsync(context, "repository.update", repository.Id.Value, catalog.ShownRequest(body).ToJsonString());
        return repository;
    }
}
