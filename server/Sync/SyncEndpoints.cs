using System.Text.Json.Nodes;
using Berth.Plugins;
using Berth.Server.Access;
using Berth.Server.Configuration;
using Berth.Server.Json;
using Berth.Server.OpenApi;
using Berth.Server.Tasks;
using Microsoft.Extensions.Options;

namespace Berth.Server.Sync;

/// <summary>
/// <c>POST /repositories/{repo}/actions/sync/</c>, as Pulp 2 answers it: 202 with a call report whose <c>spawned_tasks</c>
/// names the task to poll. A repository already syncing answers its running task.
/// </summary>
public static class SyncEndpoints
{
    public static void MapSyncEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapPost($"{ContentApi.Root}/repositories/{{repo}}/actions/sync/", async (
            string repo, HttpContext context, SyncService service, AccessControl access, Audit audit, IOptions<BerthOptions> options) =>
        {
            var cancellationToken = context.RequestAborted;
            var repository = await access.RepositoryAsync(context, repo, AccessAction.Push);
            var body = !Clients.RequestBodies.HasBody(context) ? [] : await JsonRequest.ReadObjectAsync(context.Request, options.Value.MaxJsonBodyBytes, cancellationToken);
            RequestFields.RejectUnknown(body, "request", ContentError.InvalidRequest, "override_config");
            var overrideConfig = (JsonObject?)RequestFields.OptionalObject(body, "override_config", "request", ContentError.InvalidRequest)?.DeepClone();
            var (task, created) = await service.StartAsync(repository.Id, overrideConfig, cancellationToken);
            if (created)
            {
                await audit.RecordAsync(context, "sync", repository.Id.Value, $"task {task.Id}");
            }

            return TaskCallReport.Accepted(task);
        })
            .WithTags("Sync").WithName("syncRepository")
            .WithSummary("Syncs a repository from its sync importer's feed, as a task (202 with the task to poll); a repository already syncing answers its task.")
            .Produces<TaskCallReport>(StatusCodes.Status202Accepted)
            .ProducesCallerErrors()
            .ProducesNotFound()
            .ProducesBodyErrors();
    }
}
