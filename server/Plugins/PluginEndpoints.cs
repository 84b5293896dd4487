using Berth.Server.Access;
using Berth.Server.Errors;
using Berth.Server.Json;
using Berth.Server.OpenApi;

namespace Berth.Server.Plugins;

/// <summary>The loaded importer plugins and the unit types they handle.</summary>
public static class PluginEndpoints
{
    public static void MapPluginEndpoints(this IEndpointRouteBuilder routes)
    {
        var plugins = routes.MapGroup($"{ContentApi.Root}/plugins")
            .AddEndpointFilter(async (context, next) =>
            {
                await context.HttpContext.RequestServices.GetRequiredService<AccessControl>().RequireSignedInAsync(context.HttpContext);
                return await next(context);
            })
            .WithTags("Plugins")
            .ProducesCallerErrors();
        plugins.MapGet("/importers/", (PluginCatalog catalog) =>
            TypedResults.Json(catalog.Importers.Select(ImporterPluginResponse.From).ToList(), ContentApiJsonContext.Api.ListImporterPluginResponse))
            .WithName("listImporterTypes").WithSummary("The importer types the loaded plugins provide.")
            .Produces<List<ImporterPluginResponse>>();
        plugins.MapGet("/importers/{id}/", (string id, PluginCatalog catalog) =>
            TypedResults.Json(
                ImporterPluginResponse.From(catalog.FindImporter(id) ?? throw new NotFoundException("importer type", id)),
                ContentApiJsonContext.Api.ImporterPluginResponse))
            .WithName("getImporterType").WithSummary("One importer type.")
            .Produces<ImporterPluginResponse>()
            .ProducesNotFound();
        plugins.MapGet("/types/", (PluginCatalog catalog) =>
            TypedResults.Json(catalog.UnitTypes.Select(UnitTypeResponse.From).ToList(), ContentApiJsonContext.Api.ListUnitTypeResponse))
            .WithName("listUnitTypes").WithSummary("The unit types the loaded plugins handle.")
            .Produces<List<UnitTypeResponse>>();
        plugins.MapGet("/types/{id}/", (string id, PluginCatalog catalog) =>
            TypedResults.Json(
                UnitTypeResponse.From(catalog.FindUnitType(id) ?? throw new NotFoundException("unit type", id)),
                ContentApiJsonContext.Api.UnitTypeResponse))
            .WithName("getUnitType").WithSummary("One unit type.")
            .Produces<UnitTypeResponse>()
            .ProducesNotFound();
    }
}
