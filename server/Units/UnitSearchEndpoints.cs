using Berth.Plugins;
using Berth.Server.Access;
using Berth.Server.Clients;
using Berth.Server.Configuration;
using Berth.Server.Json;
using Berth.Server.OpenApi;
using Microsoft.Extensions.Options;

namespace Berth.Server.Units;

/// <summary>
/// <c>POST /repositories/{repo}/search/units/</c> with <c>{"criteria": ...}</c>, Pulp 2's unit association criteria
/// (<see cref="UnitSearch"/>): the repository's units, oldest association first unless sorted.
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
            RequestFields.RejectUnknown(body, "request", ContentError.InvalidRequest, Criteria);
            var search = UnitSearch.Read(RequestFields.OptionalObject(body, Criteria, "request", ContentError.InvalidRequest));
            var found = await units.SearchAsync(repository.Id, search.Criteria, cancellationToken);
            return TypedResults.Json(found.Select(u => search.Fields.Shape(UnitResponse.From(u))).ToList(), ContentApiJsonContext.Api.ListUnitResponse);
        })
            .WithMetadata(AnonymousBodies.Allowed) // Access is checked before the body is read: anonymous callers may search what they may pull.
            .WithTags("Units").WithName("searchUnits").WithSummary("A repository's units by Pulp 2's unit association criteria: types, Mongo-style filters on units and associations, sort, skip, limit, fields.")
            .Produces<List<UnitResponse>>()
            .ProducesCallerErrors()
            .ProducesNotFound()
            .ProducesBodyErrors();
    }
}
