using System.Text.Json.Nodes;
using Berth.Plugins;
using Berth.Server.Access;
using Berth.Server.Clients;
using Berth.Server.Configuration;
using Berth.Server.Json;
using Berth.Server.OpenApi;
using Microsoft.Extensions.Options;

namespace Berth.Server.Units;

/// <summary>
/// <c>POST /repositories/{repo}/search/units/</c> with <c>{"criteria": {"type_ids"?, "skip"?, "limit"?}}</c>: the
/// repository's units, oldest association first.
/// </summary>
public static class UnitSearchEndpoints
{
    private const string Criteria = "criteria";

    /// <summary>The largest search an anonymous caller may send: criteria are a few fields, never kilobytes.</summary>
    private const long AnonymousMaxBodyBytes = 16 * 1024;

    public static void MapUnitSearchEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapPost($"{ContentApi.Root}/repositories/{{repo}}/search/units/", async (
            string repo, HttpContext context, AccessControl access, IUnitStore units, IOptions<BerthOptions> options, CancellationToken cancellationToken) =>
        {
            var repository = await access.RepositoryAsync(context, repo, AccessAction.Pull);
            var caller = await access.CallerAsync(context);
            var body = await JsonRequest.ReadObjectAsync(
                context.Request, caller.IsAuthenticated ? options.Value.MaxJsonBodyBytes : AnonymousMaxBodyBytes, cancellationToken);
            var criteria = ReadCriteria(body);
            var found = await units.SearchAsync(repository.Id, criteria, cancellationToken);
            return TypedResults.Json(found.Select(UnitResponse.From).ToList(), ContentApiJsonContext.Api.ListUnitResponse);
        })
            .WithMetadata(AnonymousBodies.Allowed) // Access is checked before the body is read: anonymous callers may search what they may pull.
            .WithTags("Units").WithName("searchUnits").WithSummary("A repository's units, oldest association first, by type, with skip and limit.")
            .Produces<List<UnitResponse>>()
            .ProducesCallerErrors()
            .ProducesNotFound()
            .ProducesBodyErrors();
    }

    private static UnitCriteria ReadCriteria(JsonObject body)
    {
        RequestFields.RejectUnknown(body, "request", ContentError.InvalidRequest, Criteria);
        var criteria = RequestFields.OptionalObject(body, Criteria, "request", ContentError.InvalidRequest) ?? [];
        RequestFields.RejectUnknown(criteria, Criteria, ContentError.InvalidRequest, "type_ids", "skip", "limit");
        var skip = RequestFields.OptionalNonNegativeInteger(criteria, "skip", Criteria, ContentError.InvalidRequest) ?? 0;
        var limit = RequestFields.OptionalNonNegativeInteger(criteria, "limit", Criteria, ContentError.InvalidRequest);
        return new UnitCriteria(
            RequestFields.OptionalStrings(criteria, "type_ids", Criteria, ContentError.InvalidRequest),
            (int)Math.Min(skip, int.MaxValue),
            limit is null ? null : (int)Math.Min(limit.Value, int.MaxValue));
    }
}
