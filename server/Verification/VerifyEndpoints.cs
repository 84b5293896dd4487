using Berth.Server.Access;
using Berth.Server.Json;
using Berth.Server.OpenApi;

namespace Berth.Server.Verification;

/// <summary><c>POST /pulp/api/v2/content/actions/verify/</c>: re-hash all stored content and report (administrators).</summary>
public static class VerifyEndpoints
{
    public static void MapVerifyEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapPost($"{ContentApi.Root}/content/actions/verify/", async (HttpContext context, AccessControl access, ContentVerifier verifier) =>
        {
            await access.RequireAdministratorAsync(context);
            var report = await verifier.VerifyAsync(null, context.RequestAborted);
            return TypedResults.Json(report, ContentApiJsonContext.Api.VerificationReport);
        })
            .WithTags("Status").WithName("verifyContent").WithSummary("Re-hashes all stored content and reports what does not match (administrators).")
            .Produces<VerificationReport>()
            .ProducesCallerErrors();
    }
}
