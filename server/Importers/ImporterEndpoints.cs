using Berth.Server.Access;
using Berth.Server.Configuration;
using Berth.Server.Imports;
using Berth.Server.Json;
using Berth.Server.OpenApi;
using Berth.Server.Plugins;
using Microsoft.Extensions.Options;

namespace Berth.Server.Importers;

/// <summary>Register, list, show and remove the importers of a repository.</summary>
public static class ImporterEndpoints
{
    public static void MapImporterEndpoints(this IEndpointRouteBuilder routes)
    {
        var importers = routes.MapGroup($"{ContentApi.Root}/repositories/{{repo}}/importers")
            .WithTags("Importers").ProducesCallerErrors().ProducesNotFound();

        importers.MapPost("/", async (string repo, HttpContext context, ImporterService service, PluginCatalog catalog, AccessControl access, Audit audit, IOptions<BerthOptions> options, CancellationToken cancellationToken) =>
        {
            var repository = await access.RepositoryAsync(context, repo, AccessAction.Admin);
            var body = await JsonRequest.ReadObjectAsync(context.Request, options.Value.MaxJsonBodyBytes, cancellationToken);
            var registration = await service.RegisterAsync(repository.Id, body, cancellationToken);
            await audit.RecordAsync(context, "importer.register", $"{repo}/{registration.ImporterTypeId}", catalog.ShownConfig(registration.ImporterTypeId, registration.Config).ToJsonString());
            return TypedResults.Json(ImporterResponse.From(registration, catalog), ContentApiJsonContext.Api.ImporterResponse, statusCode: StatusCodes.Status201Created);
        })
            .WithName("registerImporter").WithSummary("Registers an importer on a repository, with its configuration.")
            .Produces<ImporterResponse>(StatusCodes.Status201Created)
            .ProducesBodyErrors()
            .ProducesContentApiErrors(StatusCodes.Status409Conflict);

        importers.MapGet("/", async (string repo, HttpContext context, ImporterService service, PluginCatalog catalog, AccessControl access, CancellationToken cancellationToken) =>
        {
            var repository = await access.RepositoryAsync(context, repo, AccessAction.Pull);
            return TypedResults.Json(
                (await service.ListAsync(repository.Id, cancellationToken)).Select(r => ImporterResponse.From(r, catalog)).ToList(),
                ContentApiJsonContext.Api.ListImporterResponse);
        })
            .WithName("listImporters").WithSummary("The importers registered on a repository.")
            .Produces<List<ImporterResponse>>();

        importers.MapGet("/{importer}/", async (string repo, string importer, HttpContext context, ImporterService service, PluginCatalog catalog, AccessControl access, CancellationToken cancellationToken) =>
        {
            var repository = await access.RepositoryAsync(context, repo, AccessAction.Pull);
            return TypedResults.Json(ImporterResponse.From(await service.GetAsync(repository.Id, importer, cancellationToken), catalog), ContentApiJsonContext.Api.ImporterResponse);
        })
            .WithName("getImporter").WithSummary("One importer of a repository.")
            .Produces<ImporterResponse>();

        // Pulp 2's importer update: {"importer_config": {...}}, null values removing keys.
        importers.MapPut("/{importer}/", async (string repo, string importer, HttpContext context, ImporterService service, PluginCatalog catalog, AccessControl access, Audit audit, IOptions<BerthOptions> options, CancellationToken cancellationToken) =>
        {
            var repository = await access.RepositoryAsync(context, repo, AccessAction.Admin);
            var body = await JsonRequest.ReadObjectAsync(context.Request, options.Value.MaxJsonBodyBytes, cancellationToken);
            var changed = await service.UpdateAsync(repository.Id, importer, body, cancellationToken);
            await audit.RecordAsync(context, "importer.update", $"{repo}/{importer}", catalog.ShownRequest(body).ToJsonString());
            return TypedResults.Json(new CallReport<ImporterResponse>(ImporterResponse.From(changed, catalog)), ContentApiJsonContext.Api.CallReportImporterResponse);
        })
            .WithName("updateImporter").WithSummary("Changes an importer's config, as Pulp 2 does: keys set, or removed by null; answers a call report.")
            .Produces<CallReport<ImporterResponse>>()
            .ProducesBodyErrors();

        importers.MapDelete("/{importer}/", async (string repo, string importer, HttpContext context, ImporterService service, AccessControl access, Audit audit, CancellationToken cancellationToken) =>
        {
            var repository = await access.RepositoryAsync(context, repo, AccessAction.Admin);
            await service.RemoveAsync(repository.Id, importer, cancellationToken);
            await audit.RecordAsync(context, "importer.remove", $"{repo}/{importer}");
            return TypedResults.Json(CallReport.Done, ContentApiJsonContext.Api.CallReportObject);
        })
            .WithName("removeImporter").WithSummary("Removes an importer from a repository.")
            .Produces<CallReport<object?>>();
    }
}
