using Berth.Server.Configuration;
using Berth.Server.Importers;
using Berth.Server.Json;
using Berth.Server.Units;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Berth.Server.Repositories;

/// <summary>Create, list, show and delete repositories.</summary>
public static class RepositoryEndpoints
{
    public static void MapRepositoryEndpoints(this IEndpointRouteBuilder routes)
    {
        var repositories = routes.MapGroup($"{ContentApi.Root}/repositories");

        repositories.MapPost("/", async (HttpRequest request, RepositoryService service, IOptions<BerthOptions> options, CancellationToken cancellationToken) =>
        {
            var body = await JsonRequest.ReadObjectAsync(request, options.Value.MaxJsonBodyBytes, cancellationToken);
            var repository = await service.CreateAsync(CreateRepositoryCommand.Read(body), cancellationToken);
            return TypedResults.Json(
                RepositoryResponse.From(repository, new Dictionary<string, long>()),
                ContentApiJsonContext.Api.RepositoryResponse,
                statusCode: StatusCodes.Status201Created);
        });

        repositories.MapGet("/", async (RepositoryService service, IUnitStore units, IImporterRegistrationStore importers, bool? details, [FromQuery(Name = "importers")] bool? withImporters, CancellationToken cancellationToken) =>
        {
            var list = new List<RepositoryResponse>();
            foreach (var repository in await service.ListAsync(cancellationToken))
            {
                list.Add(await DescribeAsync(repository, units, importers, details == true || withImporters == true, cancellationToken));
            }

            return TypedResults.Json(list, ContentApiJsonContext.Api.ListRepositoryResponse);
        });

        repositories.MapGet("/{repo}/", async (string repo, RepositoryService service, IUnitStore units, IImporterRegistrationStore importers, bool? details, [FromQuery(Name = "importers")] bool? withImporters, CancellationToken cancellationToken) =>
        {
            var repository = await service.GetAsync(repo, cancellationToken);
            return TypedResults.Json(
                await DescribeAsync(repository, units, importers, details == true || withImporters == true, cancellationToken),
                ContentApiJsonContext.Api.RepositoryResponse);
        });

        repositories.MapPut("/{repo}/", async (string repo, HttpRequest request, RepositoryService service, IUnitStore units, IImporterRegistrationStore importers, IOptions<BerthOptions> options, CancellationToken cancellationToken) =>
        {
            var body = await JsonRequest.ReadObjectAsync(request, options.Value.MaxJsonBodyBytes, cancellationToken);
            var repository = await service.UpdateAsync(repo, UpdateRepositoryCommand.Read(body), cancellationToken);
            return TypedResults.Json(await DescribeAsync(repository, units, importers, false, cancellationToken), ContentApiJsonContext.Api.RepositoryResponse);
        });

        repositories.MapDelete("/{repo}/", async (string repo, RepositoryService service, CancellationToken cancellationToken) =>
        {
            await service.DeleteAsync(repo, cancellationToken);
            return TypedResults.Json(new Imports.CallReport(null), ContentApiJsonContext.Api.CallReport);
        });
    }

    private static async Task<RepositoryResponse> DescribeAsync(
        Repository repository, IUnitStore units, IImporterRegistrationStore importers, bool withImporters, CancellationToken cancellationToken)
    {
        var counts = await units.CountByTypeAsync(repository.Id, cancellationToken);
        var registered = withImporters ? await importers.ListAsync(repository.Id, cancellationToken) : null;
        return RepositoryResponse.From(repository, counts, registered);
    }
}
