using System.Text.Json;
using Berth.Server.Access;
using Berth.Server.Imports;
using Berth.Server.Json;
using Berth.Server.Plugins;
using Berth.Server.Units;

namespace Berth.Server.Orphans;

/// <summary>
/// <c>GET</c> and <c>DELETE /pulp/api/v2/content/orphans/</c> (and <c>.../orphans/{type}/</c>), in Pulp 2's shape
/// (administrators): the units in no repository, and their collection, answered once done with what it freed.
/// </summary>
public static class OrphanEndpoints
{
    public static void MapOrphanEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGet($"{ContentApi.Root}/content/orphans/", (HttpContext context, AccessControl access, OrphanCollector collector) =>
            ListAsync(context, access, collector, null));
        routes.MapGet($"{ContentApi.Root}/content/orphans/{{type}}/", (string type, HttpContext context, AccessControl access, OrphanCollector collector, PluginCatalog catalog) =>
            ListAsync(context, access, collector, KnownType(catalog, type)));
        routes.MapDelete($"{ContentApi.Root}/content/orphans/", (HttpContext context, AccessControl access, OrphanCollector collector, Audit audit) =>
            CollectAsync(context, access, collector, audit, null));
        routes.MapDelete($"{ContentApi.Root}/content/orphans/{{type}}/", (string type, HttpContext context, AccessControl access, OrphanCollector collector, Audit audit, PluginCatalog catalog) =>
            CollectAsync(context, access, collector, audit, KnownType(catalog, type)));
    }

    private static async Task<IResult> ListAsync(HttpContext context, AccessControl access, OrphanCollector collector, string? typeId)
    {
        await access.RequireAdministratorAsync(context);

        // Streamed as found: a store with many orphans is never listed whole in memory.
        var orphans = collector.ListAsync(typeId, context.RequestAborted).Select(o => UnitResponse.From(o.Unit));
        return TypedResults.Json(orphans, ContentApiJsonContext.Api.IAsyncEnumerableUnitResponse);
    }

    private static async Task<IResult> CollectAsync(HttpContext context, AccessControl access, OrphanCollector collector, Audit audit, string? typeId)
    {
        await access.RequireAdministratorAsync(context);
        var report = await collector.CollectAsync(typeId, context.RequestAborted);
        await audit.RecordAsync(context, "delete.orphans", typeId ?? "all types", $"{report.UnitsRemovedTotal} units, {report.BytesFreed} bytes");
        var result = JsonSerializer.SerializeToNode(report, ContentApiJsonContext.Api.OrphanCollectionReport);
        return TypedResults.Json(new CallReport(result), ContentApiJsonContext.Api.CallReport);
    }

    private static string KnownType(PluginCatalog catalog, string typeId) =>
        catalog.FindUnitType(typeId) is not null
            ? typeId
            : throw new UnknownUnitTypeException(typeId, catalog.UnitTypes.Select(t => t.Id));
}
