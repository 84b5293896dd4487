using Berth.Server.Configuration;
using Berth.Server.Imports;
using Berth.Server.Json;
using Microsoft.Extensions.Options;

namespace Berth.Server.Importers;

/// <summary>Register, list, show and remove the importers of a repository.</summary>
public static class ImporterEndpoints
{
    public static void MapImporterEndpoints(this IEndpointRouteBuilder routes)
    {
        var importers = routes.MapGroup($"{ContentApi.Root}/repositories/{{repo}}/importers");

        importers.MapPost("/", async (string repo, HttpRequest request, ImporterService service, IOptions<BerthOptions> options, CancellationToken cancellationToken) =>
        {
            var body = await JsonRequest.ReadObjectAsync(request, options.Value.MaxJsonBodyBytes, cancellationToken);
            var registration = await service.RegisterAsync(repo, body, cancellationToken);
            return TypedResults.Json(ImporterResponse.From(registration), ContentApiJsonContext.Api.ImporterResponse, statusCode: StatusCodes.Status201Created);
        });

        importers.MapGet("/", async (string repo, ImporterService service, CancellationToken cancellationToken) =>
            TypedResults.Json(
                (await service.ListAsync(repo, cancellationToken)).Select(ImporterResponse.From).ToList(),
                ContentApiJsonContext.Api.ListImporterResponse));

        importers.MapGet("/{importer}/", async (string repo, string importer, ImporterService service, CancellationToken cancellationToken) =>
            TypedResults.Json(ImporterResponse.From(await service.GetAsync(repo, importer, cancellationToken)), ContentApiJsonContext.Api.ImporterResponse));

        importers.MapDelete("/{importer}/", async (string repo, string importer, ImporterService service, CancellationToken cancellationToken) =>
        {
            await service.RemoveAsync(repo, importer, cancellationToken);
            return TypedResults.Json(new CallReport(null), ContentApiJsonContext.Api.CallReport);
        });
    }
}
