using System.Text.Json;
using Berth.Server.Configuration;
using Berth.Server.Errors;
using Berth.Server.Json;
using Berth.Server.Repositories;
using Berth.Server.Units;
using Microsoft.Extensions.Options;

namespace Berth.Server.Imports;

/// <summary><c>POST /repositories/{repo}/actions/import_upload/</c>: answered when the import is complete.</summary>
public static class ImportEndpoints
{
    public static void MapImportEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapPost($"{ContentApi.Root}/repositories/{{repo}}/actions/import_upload/", async (
            string repo, HttpRequest request, ImportService service, IOptions<BerthOptions> options, CancellationToken cancellationToken) =>
        {
            var body = await JsonRequest.ReadObjectAsync(request, options.Value.MaxJsonBodyBytes, cancellationToken);
            if (!RepositoryId.TryParse(repo, out var repositoryId, out _))
            {
                throw ApiException.NotFound("repository", repo);
            }

            var unit = await service.ImportUploadAsync(repositoryId, ImportUploadCommand.Read(body), cancellationToken);
            var result = JsonSerializer.SerializeToNode(UnitResponse.From(unit), ContentApiJsonContext.Api.UnitResponse);
            return TypedResults.Json(new CallReport(result), ContentApiJsonContext.Api.CallReport);
        });
    }
}
