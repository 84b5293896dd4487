using Berth.Plugins;
using Berth.Server.Access;
using Berth.Server.Configuration;
using Berth.Server.Json;
using Berth.Server.Membership;
using Berth.Server.OpenApi;
using Berth.Server.Tasks;
using Berth.Server.Units;
using Microsoft.Extensions.Options;

namespace Berth.Server.Promotion;

/// <summary>
/// <c>POST /repositories/{dest}/actions/associate/</c> (promotion: pull on the source, push on the destination) and
/// <c>POST /repositories/{repo}/actions/unassociate/</c> (removal: delete on the repository), in Pulp 2's shapes;
/// answered once done as Pulp 2 answers them (202 and a task to poll), the task already finished with
/// <c>{"units_successful": [...]}</c>, which the call report's result carries too.
/// </summary>
public static class AssociateEndpoints
{
    public static void MapAssociateEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapPost($"{ContentApi.Root}/repositories/{{repo}}/actions/associate/", async (
            string repo, HttpContext context, PromotionService promotion, AccessControl access, TaskRunner tasks, IOptions<BerthOptions> options) =>
        {
            var cancellationToken = context.RequestAborted;
            var destination = await access.RepositoryAsync(context, repo, AccessAction.Push);
            var call = tasks.Begin(destination.Id, TaskKind.Associate);
            var command = AssociateCommand.Read(await JsonRequest.ReadObjectAsync(context.Request, options.Value.MaxJsonBodyBytes, cancellationToken));
            var source = await access.RepositoryAsync(context, command.SourceRepositoryId, AccessAction.Pull);

            var associated = await promotion.AssociateAsync(destination, source, command, cancellationToken);
            return await call.AnswerAsync(new UnitsChanged([.. associated.Select(UnitResponse.From)]), ContentApiJsonContext.Api.UnitsChanged);
        })
            .WithTags("Promotion").WithName("associateUnits")
            .WithSummary("Copies units, with all they need, from a source repository (promotion). 202 with the task, already finished; the result lists units_successful.")
            .Produces<TaskCallReport>(StatusCodes.Status202Accepted)
            .ProducesCallerErrors()
            .ProducesNotFound()
            .ProducesBodyErrors();

        routes.MapPost($"{ContentApi.Root}/repositories/{{repo}}/actions/unassociate/", async (
            string repo, HttpContext context, MemberRemoval removal, AccessControl access, TaskRunner tasks, IOptions<BerthOptions> options) =>
        {
            var cancellationToken = context.RequestAborted;
            var repository = await access.RepositoryAsync(context, repo, AccessAction.Delete);
            var call = tasks.Begin(repository.Id, TaskKind.Unassociate);
            var body = await JsonRequest.ReadObjectAsync(context.Request, options.Value.MaxJsonBodyBytes, cancellationToken);
            RequestFields.RejectUnknown(body, "request", ContentError.InvalidRequest, "criteria");
            var criteria = UnitSearch.Read(RequestFields.OptionalObject(body, "criteria", "request", ContentError.InvalidRequest)).Criteria;

            var removed = await removal.RemoveAsync(repository.Id, criteria, cancellationToken);
            return await call.AnswerAsync(new UnitsChanged([.. removed.Select(UnitResponse.From)]), ContentApiJsonContext.Api.UnitsChanged);
        })
            .WithTags("Promotion").WithName("unassociateUnits")
            .WithSummary("Removes the units the criteria choose from a repository. 202 with the task, already finished; the result lists units_successful.")
            .Produces<TaskCallReport>(StatusCodes.Status202Accepted)
            .ProducesCallerErrors()
            .ProducesNotFound()
            .ProducesBodyErrors();
    }
}
