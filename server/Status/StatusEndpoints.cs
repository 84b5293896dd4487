using Berth.Server.Content;
using Berth.Server.Json;
using Berth.Server.Scheduling;
using Berth.Server.Storage;

namespace Berth.Server.Status;

/// <summary><c>GET /pulp/api/v2/status/</c>: open to anyone, answered once the stores are open.</summary>
public static class StatusEndpoints
{
    public static void MapStatusEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGet($"{ContentApi.Root}/status/", async (IMetadataDatabase database, IContentStore content, ILeadership leadership, CancellationToken cancellationToken) =>
        {
            var probe = await content.ProbeAsync(cancellationToken);
            return TypedResults.Json(
                new StatusResponse(
                    "2",
                    new StatusVersions(typeof(StatusEndpoints).Assembly.GetName().Version?.ToString(3) ?? "0.0.0"),
                    new StoreState(database.IsConnected()),
                    new ContentStorageState(probe.Writable, probe.FreeBytes),
                    [],
                    new SchedulerState(leadership.IsLeader)),
                ContentApiJsonContext.Api.StatusResponse);
        })
            .WithTags("Status").WithName("getStatus").WithSummary("The server's version and the state of its stores; open to anyone.")
            .Produces<StatusResponse>();
    }
}
