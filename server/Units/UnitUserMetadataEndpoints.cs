using System.Text.Json.Nodes;
using Berth.Server.Access;
using Berth.Server.Configuration;
using Berth.Server.Errors;
using Berth.Server.Json;
using Berth.Server.OpenApi;
using Berth.Server.Plugins;
using Microsoft.Extensions.Options;

namespace Berth.Server.Units;

/// <summary>
/// <c>GET</c> and <c>PUT /pulp/api/v2/content/units/{type}/{id}/pulp_user_metadata/</c>, as Pulp 2 answers them
/// (administrators): what users set on a unit, beside what its importer recorded. GET answers the object (<c>{}</c> when
/// nothing was set); PUT replaces it with the body, a JSON object, and answers <c>null</c>. An unknown type or unit is 404.
/// </summary>
public static class UnitUserMetadataEndpoints
{
    public static void MapUnitUserMetadataEndpoints(this IEndpointRouteBuilder routes)
    {
        var path = $"{ContentApi.Root}/content/units/{{type}}/{{id}}/pulp_user_metadata/";
        routes.MapGet(path, async (string type, string id, HttpContext context, AccessControl access, IUnitUserMetadataStore store, PluginCatalog catalog) =>
        {
            await access.RequireAdministratorAsync(context);
            var metadata = catalog.FindUnitType(type) is null ? null : await store.FindAsync(type, id, context.RequestAborted);
            return TypedResults.Json(metadata ?? throw Missing(type, id), ContentApiJsonContext.Api.JsonObject);
        })
            .WithTags("Units").WithName("getUnitUserMetadata").WithSummary("What users set on a unit (Pulp 2's pulp_user_metadata; administrators).")
            .Produces<JsonObject>()
            .ProducesCallerErrors()
            .ProducesNotFound();

        routes.MapPut(path, async (
            string type, string id, HttpContext context, AccessControl access, IUnitUserMetadataStore store, PluginCatalog catalog, Audit audit, IOptions<BerthOptions> options) =>
        {
            await access.RequireAdministratorAsync(context);

            // The body is read first: a malformed one is 400 whatever it names.
            var metadata = await JsonRequest.ReadObjectAsync(context.Request, options.Value.MaxJsonBodyBytes, context.RequestAborted);
            if (catalog.FindUnitType(type) is null || !await store.SetAsync(type, id, metadata, context.RequestAborted))
            {
                throw Missing(type, id);
            }

            await audit.RecordAsync(context, "set.user_metadata", $"{type}/{id}");
            return Results.Text("null", "application/json");
        })
            .WithTags("Units").WithName("setUnitUserMetadata").WithSummary("Replaces what users set on a unit (Pulp 2's pulp_user_metadata; administrators); answers null.")
            .Produces<JsonNode>()
            .ProducesCallerErrors()
            .ProducesNotFound()
            .ProducesBodyErrors();
    }

    private static NotFoundException Missing(string type, string id) => new("content unit", $"{type}/{id}");
}
