using System.Text.Json.Nodes;
using Berth.Plugins;
using Berth.Server.Access;
using Berth.Server.Configuration;
using Berth.Server.Errors;
using Berth.Server.Imports;
using Berth.Server.Json;
using Berth.Server.OpenApi;
using Berth.Server.Units;
using Microsoft.Extensions.Options;

namespace Berth.Server.Retention;

/// <summary>
/// A repository's retention policy: <c>GET</c>, <c>PUT</c> (repository admin) and <c>DELETE</c> on
/// <c>/repositories/{id}/retention/</c>; <c>POST /repositories/{id}/actions/apply_retention/</c> with
/// <c>{"dry_run": true}</c> lists what would go, without it removes it (delete on the repository).
/// </summary>
public static class RetentionEndpoints
{
    public static void MapRetentionEndpoints(this IEndpointRouteBuilder routes)
    {
        var policyPath = $"{ContentApi.Root}/repositories/{{repo}}/retention/";
        routes.MapGet(policyPath, async (string repo, HttpContext context, IRetentionPolicyStore policies, AccessControl access) =>
        {
            var repository = await access.RepositoryAsync(context, repo, AccessAction.Pull);
            var policy = await policies.FindAsync(repository.Id, context.RequestAborted) ?? throw new NotFoundException("retention policy", repo);
            return TypedResults.Json(RetentionPolicyResponse.From(policy), ContentApiJsonContext.Api.RetentionPolicyResponse);
        })
            .WithTags("Retention").WithName("getRetentionPolicy").WithSummary("A repository's retention policy.")
            .Produces<RetentionPolicyResponse>()
            .ProducesCallerErrors()
            .ProducesNotFound();

        routes.MapPut(policyPath, async (
            string repo, HttpContext context, IRetentionPolicyStore policies, AccessControl access, Audit audit, IOptions<BerthOptions> options) =>
        {
            var repository = await access.RepositoryAsync(context, repo, AccessAction.Admin);
            var policy = RetentionPolicy.Read(await JsonRequest.ReadObjectAsync(context.Request, options.Value.MaxJsonBodyBytes, context.RequestAborted));
            if (!await policies.SaveAsync(repository.Id, policy, context.RequestAborted))
            {
                throw new NotFoundException("repository", repo);
            }

            await audit.RecordAsync(context, "retention.set", repo, policy.ToString());
            return TypedResults.Json(RetentionPolicyResponse.From(policy), ContentApiJsonContext.Api.RetentionPolicyResponse);
        })
            .WithTags("Retention").WithName("setRetentionPolicy").WithSummary("Sets a repository's retention policy (repository administrators).")
            .Produces<RetentionPolicyResponse>()
            .ProducesCallerErrors()
            .ProducesNotFound()
            .ProducesBodyErrors();

        routes.MapDelete(policyPath, async (string repo, HttpContext context, IRetentionPolicyStore policies, AccessControl access, Audit audit) =>
        {
            var repository = await access.RepositoryAsync(context, repo, AccessAction.Admin);
            if (!await policies.DeleteAsync(repository.Id, context.RequestAborted))
            {
                throw new NotFoundException("retention policy", repo);
            }

            await audit.RecordAsync(context, "retention.delete", repo);
            return Results.NoContent();
        })
            .WithTags("Retention").WithName("deleteRetentionPolicy").WithSummary("Removes a repository's retention policy: it keeps everything again.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesCallerErrors()
            .ProducesNotFound();

        routes.MapPost($"{ContentApi.Root}/repositories/{{repo}}/actions/apply_retention/", async (
            string repo, HttpContext context, RetentionService retention, AccessControl access, IOptions<BerthOptions> options) =>
        {
            var repository = await access.RepositoryAsync(context, repo, AccessAction.Delete);
            // No body at all means a real run, so that curl -X POST is enough.
            var body = !Clients.RequestBodies.HasBody(context)
                ? new JsonObject()
                : await JsonRequest.ReadObjectAsync(context.Request, options.Value.MaxJsonBodyBytes, context.RequestAborted);
            RequestFields.RejectUnknown(body, "request", ContentError.InvalidRequest, "dry_run");
            var dryRun = body["dry_run"] switch
            {
                null => false,
                JsonValue value when value.TryGetValue<bool>(out var flag) => flag,
                _ => throw ApiException.Invalid("request.dry_run must be true or false"),
            };

            var plan = await retention.ApplyAsync(repository.Id, dryRun, context.RequestAborted);

            return TypedResults.Json(
                new CallReport<RetentionResult>(new(dryRun, [.. plan.All.Select(UnitResponse.From)])),
                ContentApiJsonContext.Api.CallReportRetentionResult);
        })
            .WithTags("Retention").WithName("applyRetention").WithSummary("Applies the retention policy now; with dry_run, lists what it would remove.")
            .Produces<CallReport<RetentionResult>>()
            .ProducesCallerErrors()
            .ProducesNotFound()
            .ProducesBodyErrors()
            .ProducesContentApiErrors(StatusCodes.Status409Conflict);
    }
}
