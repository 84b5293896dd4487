using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Server.Access;
using Berth.Server.Configuration;
using Berth.Server.Imports;
using Berth.Server.Json;
using Berth.Server.Repositories;
using Berth.Server.Units;
using Microsoft.Extensions.Options;

namespace Berth.Server.Promotion;

/// <summary>
/// <c>POST /repositories/{dest}/actions/associate/</c>: promotion in Pulp 2's shape. Needs pull on the source and
/// push on the destination; answered once done with <c>{"result": {"units_successful": [...]}}</c>.
/// </summary>
public static class AssociateEndpoints
{
    public static void MapAssociateEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapPost($"{ContentApi.Root}/repositories/{{repo}}/actions/associate/", async (
            string repo, HttpContext context, PromotionService promotion, RepositoryService repositories, AccessControl access, Audit audit, IOptions<BerthOptions> options) =>
        {
            var cancellationToken = context.RequestAborted;
            var destination = await repositories.GetAsync(repo, cancellationToken);
            await access.RequireAsync(context, AccessAction.Push, destination);
            var command = AssociateCommand.Read(await JsonRequest.ReadObjectAsync(context.Request, options.Value.MaxJsonBodyBytes, cancellationToken));
            var source = await repositories.GetAsync(command.SourceRepositoryId, cancellationToken);
            await access.RequireAsync(context, AccessAction.Pull, source);

            var associated = await promotion.AssociateAsync(destination, source, command, cancellationToken);
            await audit.RecordAsync(context, "associate", $"{source.Id} -> {destination.Id}", $"{associated.Count} units");
            var successful = new JsonArray([.. associated.Select(u => JsonSerializer.SerializeToNode(UnitResponse.From(u), ContentApiJsonContext.Api.UnitResponse))]);
            return TypedResults.Json(new CallReport(new JsonObject { ["units_successful"] = successful }), ContentApiJsonContext.Api.CallReport);
        });
    }
}
