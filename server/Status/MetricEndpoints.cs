using Berth.Server.Access;
using Berth.Server.Diagnostics;
using Berth.Server.Json;
using Berth.Server.OpenApi;

namespace Berth.Server.Status;

/// <summary>
/// <c>GET /pulp/api/v2/status/metrics/</c>, for administrators: every instrument's count and sum since the start (see
/// <see cref="ServerMetrics"/>); the push benchmark reads it before and after a run to say where the time went.
/// </summary>
public static class MetricEndpoints
{
    public static void MapMetricEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGet($"{ContentApi.Root}/status/metrics/", async (HttpContext context, AccessControl access, MetricTotals totals) =>
        {
            await access.RequireAdministratorAsync(context);
            return TypedResults.Json(totals.Snapshot(), ContentApiJsonContext.Api.IReadOnlyDictionaryStringMetricTotal);
        })
            .WithTags("Status").WithName("getMetricTotals").WithSummary("Every instrument's count and sum since the start (administrators).")
            .Produces<IReadOnlyDictionary<string, MetricTotal>>()
            .ProducesCallerErrors();
    }
}
