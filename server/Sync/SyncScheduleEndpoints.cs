using Berth.Server.Access;
using Berth.Server.Configuration;
using Berth.Server.Json;
using Berth.Server.OpenApi;
using Berth.Server.Plugins;
using Microsoft.Extensions.Options;

namespace Berth.Server.Sync;

/// <summary>
/// Pulp 2's sync schedules of a repository's sync importer: <c>.../importers/{importer}/schedules/sync/</c> to list and
/// create (<c>{"schedule": "PT6H", "enabled"?, "override_config"?}</c>), <c>.../{id}/</c> to show, change and delete.
/// Repository administrators.
/// </summary>
public static class SyncScheduleEndpoints
{
    public static void MapSyncScheduleEndpoints(this IEndpointRouteBuilder routes)
    {
        var schedules = routes.MapGroup($"{ContentApi.Root}/repositories/{{repo}}/importers/{{importer}}/schedules/sync")
            .WithTags("Sync").ProducesCallerErrors().ProducesNotFound();

        schedules.MapPost("/", async (string repo, string importer, HttpContext context, SyncScheduleService service, PluginCatalog catalog, AccessControl access, Audit audit, IOptions<BerthOptions> options) =>
        {
            var repository = await access.RepositoryAsync(context, repo, AccessAction.Admin);
            var body = await JsonRequest.ReadObjectAsync(context.Request, options.Value.MaxJsonBodyBytes, context.RequestAborted);
            var schedule = await service.CreateAsync(repository.Id, importer, body, context.RequestAborted);
            await audit.RecordAsync(context, "sync.schedule", $"{repo}/{schedule.Id}", schedule.Schedule);
            var response = SyncScheduleResponse.From(schedule, catalog);
            context.Response.Headers.Location = response.Href;
            return TypedResults.Json(response, ContentApiJsonContext.Api.SyncScheduleResponse, statusCode: StatusCodes.Status201Created);
        })
            .WithName("createSyncSchedule").WithSummary("Schedules a repository's syncs (ISO 8601: PT6H, or 2026-12-03T02:00:00Z/P1D).")
            .Produces<SyncScheduleResponse>(StatusCodes.Status201Created)
            .ProducesBodyErrors();

        schedules.MapGet("/", async (string repo, string importer, HttpContext context, SyncScheduleService service, PluginCatalog catalog, AccessControl access) =>
        {
            var repository = await access.RepositoryAsync(context, repo, AccessAction.Admin);
            var list = await service.ListAsync(repository.Id, importer, context.RequestAborted);
            return TypedResults.Json(list.Select(s => SyncScheduleResponse.From(s, catalog)).ToList(), ContentApiJsonContext.Api.ListSyncScheduleResponse);
        })
            .WithName("listSyncSchedules").WithSummary("A repository's sync schedules.")
            .Produces<List<SyncScheduleResponse>>();

        schedules.MapGet("/{id}/", async (string repo, string importer, string id, HttpContext context, SyncScheduleService service, PluginCatalog catalog, AccessControl access) =>
        {
            var repository = await access.RepositoryAsync(context, repo, AccessAction.Admin);
            return TypedResults.Json(SyncScheduleResponse.From(await service.GetAsync(repository.Id, importer, id, context.RequestAborted), catalog), ContentApiJsonContext.Api.SyncScheduleResponse);
        })
            .WithName("getSyncSchedule").WithSummary("One sync schedule: when it runs next and how often it has run.")
            .Produces<SyncScheduleResponse>();

        schedules.MapPut("/{id}/", async (string repo, string importer, string id, HttpContext context, SyncScheduleService service, PluginCatalog catalog, AccessControl access, Audit audit, IOptions<BerthOptions> options) =>
        {
            var repository = await access.RepositoryAsync(context, repo, AccessAction.Admin);
            var body = await JsonRequest.ReadObjectAsync(context.Request, options.Value.MaxJsonBodyBytes, context.RequestAborted);
            var schedule = await service.UpdateAsync(repository.Id, importer, id, body, context.RequestAborted);
            await audit.RecordAsync(context, "sync.schedule.update", $"{repo}/{id}", $"{schedule.Schedule} enabled={schedule.Enabled}");
            return TypedResults.Json(SyncScheduleResponse.From(schedule, catalog), ContentApiJsonContext.Api.SyncScheduleResponse);
        })
            .WithName("updateSyncSchedule").WithSummary("Changes a sync schedule's schedule, enabled or override_config.")
            .Produces<SyncScheduleResponse>()
            .ProducesBodyErrors();

        schedules.MapDelete("/{id}/", async (string repo, string importer, string id, HttpContext context, SyncScheduleService service, AccessControl access, Audit audit) =>
        {
            var repository = await access.RepositoryAsync(context, repo, AccessAction.Admin);
            await service.DeleteAsync(repository.Id, importer, id, context.RequestAborted);
            await audit.RecordAsync(context, "sync.schedule.delete", $"{repo}/{id}");
            return Results.Text("null", "application/json");
        })
            .WithName("deleteSyncSchedule").WithSummary("Deletes a sync schedule; answers null.")
            .Produces<System.Text.Json.Nodes.JsonNode>();
    }
}
