using System.Globalization;
using System.Text.Json.Nodes;
using Berth.Plugins;
using Berth.Server.Access;
using Berth.Server.Configuration;
using Berth.Server.Errors;
using Berth.Server.Json;
using Berth.Server.OpenApi;
using Berth.Server.Plugins;
using Berth.Server.Tasks;
using Microsoft.Extensions.Options;

namespace Berth.Server.Orphans;

/// <summary>
/// <c>GET</c> and <c>DELETE /pulp/api/v2/content/orphans/</c> (and <c>.../orphans/{type}/</c>, <c>.../orphans/{type}/{id}/</c>),
/// and <c>POST /pulp/api/v2/content/actions/delete_orphans/</c>, in Pulp 2's shape (administrators): the units in no
/// repository, and their collection or removal, answered once done with what it freed. <c>DELETE ...?older_than_seconds=N</c>
/// collects what has been an orphan for N seconds instead of the grace period; orphans named one by one go whatever their age.
/// </summary>
public static class OrphanEndpoints
{
    /// <summary>The query parameter that overrides the grace period for one collection.</summary>
    private const string OlderThanParameter = "older_than_seconds";

    // A century: beyond it, no orphan is old enough, and the cutoff would fall before the calendar's first day.
    private const long MaxOlderThanSeconds = 36_525L * 24 * 3600;

    public static void MapOrphanEndpoints(this IEndpointRouteBuilder routes)
    {
        var orphans = routes.MapGroup($"{ContentApi.Root}/content/orphans").WithTags("Orphans").ProducesCallerErrors();
        orphans.MapGet("/", SummaryAsync)
            .WithName("listOrphans").WithSummary("How many units of each type are in no repository, and where each type's are listed (administrators).")
            .Produces<Dictionary<string, OrphanTypeSummary>>();
        orphans.MapGet("/{type}/", (string type, HttpContext context, AccessControl access, OrphanCollector collector, PluginCatalog catalog) =>
            ListAsync(context, access, collector, catalog.KnownUnitType(type)))
            .WithName("listOrphansOfType").WithSummary("The units of one type in no repository (administrators).")
            .Produces<List<OrphanResponse>>()
            .ProducesNotFound();
        orphans.MapGet("/{type}/{id}/", async (string type, string id, HttpContext context, AccessControl access, OrphanCollector collector, PluginCatalog catalog) =>
        {
            await access.RequireAdministratorAsync(context);
            var orphan = await FindAsync(collector, catalog.KnownUnitType(type), id, context.RequestAborted);
            return TypedResults.Json(OrphanResponse.From(orphan.Unit), ContentApiJsonContext.Api.OrphanResponse);
        })
            .WithName("getOrphan").WithSummary("One unit in no repository, by its type and id (administrators).")
            .Produces<OrphanResponse>()
            .ProducesNotFound();
        orphans.MapDelete("/", (HttpContext context, AccessControl access, OrphanCollector collector, Audit audit, TaskRunner tasks) =>
            CollectAsync(context, access, collector, audit, tasks.Begin(null, TaskKind.DeleteOrphans), null))
            .WithName("collectOrphans")
            .WithSummary("Removes the orphans past the grace period (?older_than_seconds=N: older than N s) and frees their bytes. 202 with the task, already finished; the result is the collection's report.")
            .Produces<TaskCallReport>(StatusCodes.Status202Accepted)
            .ProducesContentApiErrors(StatusCodes.Status400BadRequest);
        orphans.MapDelete("/{type}/", (string type, HttpContext context, AccessControl access, OrphanCollector collector, Audit audit, PluginCatalog catalog, TaskRunner tasks) =>
            CollectAsync(context, access, collector, audit, tasks.Begin(null, TaskKind.DeleteOrphansByType), catalog.KnownUnitType(type)))
            .WithName("collectOrphansOfType").WithSummary("Removes the orphans of one type past the grace period and frees their bytes. 202 with the task, already finished.")
            .Produces<TaskCallReport>(StatusCodes.Status202Accepted)
            .ProducesContentApiErrors(StatusCodes.Status400BadRequest);
        orphans.MapDelete("/{type}/{id}/", async (
            string type, string id, HttpContext context, AccessControl access, OrphanCollector collector, Audit audit, PluginCatalog catalog, TaskRunner tasks) =>
        {
            await access.RequireAdministratorAsync(context);
            var call = tasks.Begin(null, TaskKind.DeleteOrphansById);
            var orphan = await FindAsync(collector, catalog.KnownUnitType(type), id, context.RequestAborted);
            return await RemoveAsync(context, collector, audit, call, [new OrphanName(orphan.Unit.TypeId, id)]);
        })
            .WithName("removeOrphan").WithSummary("Removes one unit in no repository, whatever its age, and frees its bytes (administrators). 202 with the task, already finished.")
            .Produces<TaskCallReport>(StatusCodes.Status202Accepted)
            .ProducesNotFound();

        // Pulp 2's older form: it names orphans in the body.
        routes.MapPost($"{ContentApi.Root}/content/actions/delete_orphans/", async (
            HttpContext context, AccessControl access, OrphanCollector collector, Audit audit, PluginCatalog catalog, TaskRunner tasks, IOptions<BerthOptions> options) =>
        {
            await access.RequireAdministratorAsync(context);
            var call = tasks.Begin(null, TaskKind.DeleteOrphansById);
            var body = await JsonRequest.ReadArrayAsync(context.Request, options.Value.MaxJsonBodyBytes, context.RequestAborted);
            return await RemoveAsync(context, collector, audit, call, ReadNames(body, catalog));
        })
            .WithTags("Orphans").WithName("removeOrphans")
            .WithSummary("Removes the units named [{content_type_id, unit_id}, ...] that are in no repository, whatever their age, and frees their bytes (administrators). 202 with the task, already finished.")
            .Produces<TaskCallReport>(StatusCodes.Status202Accepted)
            .ProducesCallerErrors()
            .ProducesBodyErrors();
    }

    // Found among the type's orphans, which collection keeps few: a unit in a repository is no orphan, whatever its id.
    private static async Task<Orphan> FindAsync(OrphanCollector collector, string typeId, string id, CancellationToken cancellationToken) =>
        await collector.ListAsync(typeId, cancellationToken).FirstOrDefaultAsync(o => o.Unit.Id == id, cancellationToken)
            ?? throw new NotFoundException("orphan", $"{typeId}/{id}");

    private static async Task<IResult> RemoveAsync(HttpContext context, OrphanCollector collector, Audit audit, TaskCall call, List<OrphanName> names)
    {
        var report = await collector.RemoveAsync(names, context.RequestAborted);
        await audit.RecordAsync(
            context,
            "delete.orphans",
            names.Count == 1 ? $"{names[0].TypeId}/{names[0].UnitId}" : $"{names.Count} named units",
            $"{report.UnitsRemovedTotal} units, {report.BytesFreed} bytes");
        return await call.AnswerAsync(report, ContentApiJsonContext.Api.OrphanCollectionReport);
    }

    /// <summary>Reads Pulp 2's list of orphans to remove: <c>[{"content_type_id": TYPE, "unit_id": ID}, ...]</c>, of known types.</summary>
    private static List<OrphanName> ReadNames(JsonArray body, PluginCatalog catalog)
    {
        var names = new List<OrphanName>(body.Count);
        for (var i = 0; i < body.Count; i++)
        {
            var name = $"orphan {i}";
            var item = body[i] as JsonObject ?? throw ApiException.Invalid($"{name} must be an object with content_type_id and unit_id");
            RequestFields.RejectUnknown(item, name, ContentError.InvalidRequest, "content_type_id", "unit_id");
            var typeId = RequestFields.RequireString(item, "content_type_id", name, ContentError.InvalidRequest);
            if (catalog.FindUnitType(typeId) is null)
            {
                throw ApiException.Invalid(
                    $"{name} names content type '{typeId}', which no plugin defines: use one of {string.Join(", ", catalog.UnitTypes.Select(t => t.Id))}",
                    new JsonObject { ["content_type_id"] = typeId });
            }

            names.Add(new OrphanName(typeId, RequestFields.RequireString(item, "unit_id", name, ContentError.InvalidRequest)));
        }

        return names;
    }

    // As Pulp 2: every unit type the plugins define, those without orphans too.
    private static async Task<IResult> SummaryAsync(HttpContext context, AccessControl access, OrphanCollector collector, PluginCatalog catalog)
    {
        await access.RequireAdministratorAsync(context);
        var counts = catalog.UnitTypes.ToDictionary(t => t.Id, _ => 0L, StringComparer.Ordinal);
        await foreach (var orphan in collector.ListAsync(null, context.RequestAborted))
        {
            counts[orphan.Unit.TypeId] = counts.GetValueOrDefault(orphan.Unit.TypeId) + 1;
        }

        return TypedResults.Json(
            counts.ToDictionary(c => c.Key, c => new OrphanTypeSummary(c.Value, ContentApi.OrphansHref(c.Key)), StringComparer.Ordinal),
            ContentApiJsonContext.Api.DictionaryStringOrphanTypeSummary);
    }

    private static async Task<IResult> ListAsync(HttpContext context, AccessControl access, OrphanCollector collector, string typeId)
    {
        await access.RequireAdministratorAsync(context);

        // Streamed as found: a store with many orphans is never listed whole in memory.
        var orphans = collector.ListAsync(typeId, context.RequestAborted).Select(o => OrphanResponse.From(o.Unit));
        return TypedResults.Json(orphans, ContentApiJsonContext.Api.IAsyncEnumerableOrphanResponse);
    }

    private static async Task<IResult> CollectAsync(HttpContext context, AccessControl access, OrphanCollector collector, Audit audit, TaskCall call, string? typeId)
    {
        await access.RequireAdministratorAsync(context);
        var olderThan = ReadOlderThan(context.Request.Query);
        var report = await collector.CollectAsync(typeId, olderThan, context.RequestAborted);
        await audit.RecordAsync(
            context,
            "delete.orphans",
            typeId ?? "all types",
            report.AuditDetail(olderThan is not null));
        return await call.AnswerAsync(report, ContentApiJsonContext.Api.OrphanCollectionReport);
    }

    /// <summary>Reads the override of the grace period, if given: a whole number of seconds, 0 included.</summary>
    private static TimeSpan? ReadOlderThan(IQueryCollection query)
    {
        if (!query.TryGetValue(OlderThanParameter, out var values))
        {
            return null;
        }

        return values.Count == 1 &&
               long.TryParse(values[0], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) &&
               seconds <= MaxOlderThanSeconds
            ? TimeSpan.FromSeconds(seconds)
            : throw ApiException.Invalid(
                $"{OlderThanParameter} must be given once, as a whole number of seconds from 0 to {MaxOlderThanSeconds}, not '{string.Join("', '", values.ToArray())}'",
                new JsonObject { ["parameter"] = OlderThanParameter });
    }
}
