using Berth.Server.Access;
using Berth.Server.Errors;
using Berth.Server.Json;

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
            });
        plugins.MapGet("/importers/", (PluginCatalog catalog) =>
            TypedResults.Json(catalog.Importers.Select(ImporterPluginResponse.From).ToList(), ContentApiJsonContext.Api.ListImporterPluginResponse));
        plugins.MapGet("/importers/{id}/", (string id, PluginCatalog catalog) =>
            TypedResults.Json(
                ImporterPluginResponse.From(catalog.FindImporter(id) ?? throw new NotFoundException("importer type", id)),
                ContentApiJsonContext.Api.ImporterPluginResponse));
        plugins.MapGet("/types/", (PluginCatalog catalog) =>
            TypedResults.Json(catalog.UnitTypes.Select(UnitTypeResponse.From).ToList(), ContentApiJsonContext.Api.ListUnitTypeResponse));
        plugins.MapGet("/types/{id}/", (string id, PluginCatalog catalog) =>
            TypedResults.Json(
                UnitTypeResponse.From(catalog.FindUnitType(id) ?? throw new NotFoundException("unit type", id)),
                ContentApiJsonContext.Api.UnitTypeResponse));
    }
}
