using Berth.Plugins;
using Berth.Server.Access;
using Berth.Server.Configuration;
using Berth.Server.Imports;
using Berth.Server.Json;
using Berth.Server.OpenApi;
using Berth.Server.Units;
using Microsoft.Extensions.Options;

namespace Berth.Server.TagHistory;

/// <summary>
/// <c>GET /repositories/{repo}/tags/{tag}/history/</c> (newest first) and <c>POST /repositories/{repo}/actions/tag_rollback/</c>
/// <c>{"tag", "digest"?}</c>, which points the tag back at an earlier manifest of its history (by default the one
/// before its last move) that the repository still holds.
/// </summary>
public static class TagHistoryEndpoints
{
    public static void MapTagHistoryEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGet($"{ContentApi.Root}/repositories/{{repo}}/tags/{{tag}}/history/", async (
            string repo, string tag, HttpContext context, AccessControl access, ITagHistoryStore history) =>
        {
            var repository = await access.RepositoryAsync(context, repo, AccessAction.Pull);
            var moves = await history.ListAsync(repository.Id, tag, context.RequestAborted);
            return TypedResults.Json(moves.Select(TagMoveResponse.From).ToList(), ContentApiJsonContext.Api.ListTagMoveResponse);
        })
            .WithTags("Tags").WithName("getTagHistory").WithSummary("Where a tag has pointed, newest move first.")
            .Produces<List<TagMoveResponse>>()
            .ProducesCallerErrors()
            .ProducesNotFound();

        routes.MapPost($"{ContentApi.Root}/repositories/{{repo}}/actions/tag_rollback/", async (
            string repo, HttpContext context, AccessControl access, TagRollback rollback, IOptions<BerthOptions> options) =>
        {
            var cancellationToken = context.RequestAborted;
            var repository = await access.RepositoryAsync(context, repo, AccessAction.Push);
            var body = await JsonRequest.ReadObjectAsync(context.Request, options.Value.MaxJsonBodyBytes, cancellationToken);
            RequestFields.RejectUnknown(body, "request", ContentError.InvalidRequest, "tag", "digest");
            var tag = RequestFields.RequireString(body, "tag", "request", ContentError.InvalidRequest);
            var wanted = RequestFields.OptionalString(body, "digest", "request", ContentError.InvalidRequest);

            var unit = await rollback.RollBackAsync(repository.Id, tag, wanted, cancellationToken);
            return TypedResults.Json(new CallReport<UnitResponse>(UnitResponse.From(unit)), ContentApiJsonContext.Api.CallReportUnitResponse);
        })
            .WithTags("Tags").WithName("rollBackTag").WithSummary("Points a tag back at an earlier manifest of its history.")
            .Produces<CallReport<UnitResponse>>()
            .ProducesCallerErrors()
            .ProducesNotFound()
            .ProducesBodyErrors()
            .ProducesContentApiErrors(StatusCodes.Status409Conflict);
    }
}
