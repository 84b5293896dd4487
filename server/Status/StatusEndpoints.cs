using Berth.Server.Json;
using Berth.Server.Storage;
using Berth.Server.Storage.LiteDb;

namespace Berth.Server.Status;

/// <summary><c>GET /pulp/api/v2/status/</c>: open to anyone, answered once the stores are open.</summary>
public static class StatusEndpoints
{
    public static void MapStatusEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGet($"{ContentApi.Root}/status/", (LiteDbDatabase database, DataLayout layout) =>
            TypedResults.Json(
                new StatusResponse(
                    "2",
                    new StatusVersions(typeof(StatusEndpoints).Assembly.GetName().Version?.ToString(3) ?? "0.0.0"),
                    new StoreState(database.IsConnected()),
                    ContentStorage(layout),
                    []),
                ContentApiJsonContext.Api.StatusResponse));
    }

    private static ContentStorageState ContentStorage(DataLayout layout)
    {
        var writable = Directory.Exists(layout.Content) && Directory.Exists(layout.Temporary) &&
                       !new DirectoryInfo(layout.Content).Attributes.HasFlag(FileAttributes.ReadOnly);
        long? free = null;
        try
        {
            free = new DriveInfo(layout.Root).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            // Free space is a courtesy; an odd mount must not break the status page.
        }

        return new ContentStorageState(writable, free);
    }
}
