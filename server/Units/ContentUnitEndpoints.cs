using System.Text.Json.Nodes;
using Berth.Plugins;
using Berth.Server.Access;
using Berth.Server.Configuration;
using Berth.Server.Criteria;
using Berth.Server.Errors;
using Berth.Server.Json;
using Berth.Server.OpenApi;
using Berth.Server.Plugins;
using Microsoft.Extensions.Options;

namespace Berth.Server.Units;

/// <summary>
/// Pulp 2's content units, whatever repositories hold them (administrators): <c>GET /content/units/{type}/</c> lists a
/// type's units, <c>POST /content/units/{type}/search/</c> takes <c>{"criteria": {"filters", "sort", "limit", "skip",
/// "fields"}, "include_repos"}</c>, and <c>GET /content/units/{type}/{id}/</c> reads one. A unit is shown as Pulp 2 shows
/// it, its fields at the top (see <see cref="UnitResponse.Document"/>) with <c>_href</c>, and with include_repos the ids
/// of the repositories holding it in <c>repository_memberships</c>. An unknown type or unit is 404.
/// </summary>
public static class ContentUnitEndpoints
{
    private const string Href = "_href";
    private const string Memberships = "repository_memberships";

    public static void MapContentUnitEndpoints(this IEndpointRouteBuilder routes)
    {
        var units = routes.MapGroup($"{ContentApi.Root}/content/units").WithTags("Units").ProducesCallerErrors();
        units.MapGet("/{type}/", async (string type, HttpContext context, AccessControl access, IUnitStore store, PluginCatalog catalog) =>
        {
            await access.RequireAdministratorAsync(context);
            return await SearchAsync(store, catalog.KnownUnitType(type), SearchCriteria.All, includeRepositories: false, context.RequestAborted);
        })
            .WithName("listContentUnits").WithSummary("Every unit of one type, whatever repositories hold it (administrators).")
            .Produces<JsonArray>()
            .ProducesNotFound();

        units.MapPost("/{type}/search/", async (
            string type, HttpContext context, AccessControl access, IUnitStore store, PluginCatalog catalog, IOptions<BerthOptions> options) =>
        {
            await access.RequireAdministratorAsync(context);
            var body = await JsonRequest.ReadObjectAsync(context.Request, options.Value.MaxJsonBodyBytes, context.RequestAborted);
            RequestFields.RejectUnknown(body, "request", ContentError.InvalidRequest, "criteria", "include_repos");
            var criteria = SearchCriteria.Read(RequestFields.OptionalObject(body, "criteria", "request", ContentError.InvalidRequest), FieldCatalog.FreeForm);
            var includeRepositories = RequestFields.OptionalBoolean(body, "include_repos", "request", ContentError.InvalidRequest) ?? false;
            return await SearchAsync(store, catalog.KnownUnitType(type), criteria, includeRepositories, context.RequestAborted);
        })
            .WithName("searchContentUnits").WithSummary("The units of one type a Pulp 2 criteria chooses, whatever repositories hold them (administrators).")
            .Produces<JsonArray>()
            .ProducesNotFound()
            .ProducesBodyErrors();

        units.MapGet("/{type}/{id}/", async (string type, string id, HttpContext context, AccessControl access, IUnitStore store, PluginCatalog catalog) =>
        {
            await access.RequireAdministratorAsync(context);
            var unit = await store.FindByIdAsync(catalog.KnownUnitType(type), id, context.RequestAborted)
                ?? throw new NotFoundException("content unit", $"{type}/{id}");
            return TypedResults.Json(Show(unit, SearchCriteria.All, null), ContentApiJsonContext.Api.JsonObject);
        })
            .WithName("getContentUnit").WithSummary("One unit, by its type and id (administrators).")
            .Produces<JsonObject>()
            .ProducesNotFound();
    }

    private static async Task<IResult> SearchAsync(IUnitStore store, string typeId, SearchCriteria criteria, bool includeRepositories, CancellationToken cancellationToken)
    {
        var found = await store.SearchByTypeAsync(typeId, criteria, cancellationToken);
        var memberships = includeRepositories
            ? await store.RepositoriesOfAsync([.. found.Select(u => u.Unit.Id!)], cancellationToken)
            : null;
        return TypedResults.Json(new JsonArray([.. found.Select(unit => (JsonNode)Show(unit, criteria, memberships))]), ContentApiJsonContext.Api.JsonArray);
    }

    private static JsonObject Show(StoredUnit unit, SearchCriteria criteria, IReadOnlyDictionary<string, IReadOnlyList<string>>? memberships)
    {
        var shown = criteria.Shape(UnitResponse.Document(unit.Unit, unit.UserMetadata), "_id", "_content_type_id");
        shown[Href] = ContentApi.UnitHref(unit.Unit.TypeId, unit.Unit.Id!);
        if (memberships is not null)
        {
            shown[Memberships] = new JsonArray([.. (memberships.GetValueOrDefault(unit.Unit.Id!) ?? []).Select(r => JsonValue.Create(r))]);
        }

        return shown;
    }

}
