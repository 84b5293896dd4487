using Berth.Server.Access;
using Berth.Server.Clients;
using Berth.Server.Diagnostics;
using Berth.Server.Errors;
using Berth.Server.Health;
using Berth.Server.Hosting;
using Berth.Server.Importers;
using Berth.Server.Imports;
using Berth.Server.OpenApi;
using Berth.Server.Orphans;
using Berth.Server.Plugins;
using Berth.Server.Promotion;
using Berth.Server.Registry;
using Berth.Server.Repositories;
using Berth.Server.Retention;
using Berth.Server.Status;
using Berth.Server.Sync;
using Berth.Server.TagHistory;
using Berth.Server.Tasks;
using Berth.Server.Testing;
using Berth.Server.Ui;
using Berth.Server.Units;
using Berth.Server.Uploads;
using Berth.Server.Verification;
using Microsoft.Extensions.Options;

namespace Berth.Server;

/// <summary>The request pipeline and every endpoint.</summary>
public static class BerthPipeline
{
    public static WebApplication UseBerth(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // Created now, so that its totals count from the start.
        _ = app.Services.GetRequiredService<MetricTotals>();
        _ = app.Services.GetRequiredService<ServerGauges>();
        _ = app.Services.GetRequiredService<RequestActivities>();

        // Before anything that names or counts the client.
        app.UseTrustedProxies(app.Services.GetRequiredService<IOptions<Configuration.BerthOptions>>().Value.Clients);

        // First after it, so that every request is logged: those start-up holds, and those that fail anywhere below.
        app.Use(app.Services.GetRequiredService<RequestLog>().LogAsync);
        app.Use(app.Services.GetRequiredService<RequestsInFlight>().TrackAsync);
        app.Use(app.Services.GetRequiredService<StartupGate>().HoldAsync);
        app.Use(new RequestMetrics(app.Services.GetRequiredService<IOptions<Configuration.BerthOptions>>().Value.Metrics.Path).InvokeAsync);
        app.UseMiddleware<ErrorMiddleware>();
        app.UseBerthUi();
        app.Use(AnonymousBodies.RefuseAsync);
        app.Use(BlobDownload.UseAsync);
        app.UseStatusCodePages(async context =>
        {
            // Requests no endpoint took get an error body in the API's own shape, not an empty 404 or 405.
            var http = context.HttpContext;
            if (http.Response.StatusCode is not (StatusCodes.Status404NotFound or StatusCodes.Status405MethodNotAllowed) ||
                http.Response.ContentLength > 0 || http.Response.ContentType is not null)
            {
                return;
            }

            if (RegistryApi.Owns(http.Request.Path))
            {
                await RegistryErrors.NoEndpoint(http).WriteAsync(http);
            }
            else if (http.Request.Path.StartsWithSegments(UiPaths.Root, StringComparison.Ordinal))
            {
                await UiSetup.WriteNoPageAsync(http);
            }
            else
            {
                // Paths outside both APIs (a probe, a traversal attempt that normalised out of one) get the content
                // API's shape: still a body that says what happened.
                await ContentApiErrors.NoEndpoint(http).WriteAsync(http);
            }
        });

        app.MapStatusEndpoints();
        app.MapHealthEndpoints();
        app.MapApiDocument();
        app.MapMetricEndpoints();
        app.MapMetricsScrape();
        app.MapPluginEndpoints();
        app.MapRepositoryEndpoints();
        app.MapImporterEndpoints();
        app.MapUploadEndpoints();
        app.MapImportEndpoints();
        app.MapSyncEndpoints();
        app.MapSyncScheduleEndpoints();
        app.MapTaskEndpoints();
        app.MapAssociateEndpoints();
        app.MapTagHistoryEndpoints();
        app.MapUnitSearchEndpoints();
        app.MapUnitUserMetadataEndpoints();
        app.MapContentUnitEndpoints();
        app.MapUserEndpoints();
        app.MapTokenEndpoints();
        app.MapVerifyEndpoints();
        app.MapOrphanEndpoints();
        app.MapRetentionEndpoints();
        app.MapRegistryEndpoints();
        app.MapBerthUi();
        app.MapManualClockEndpoints();
        app.MapFlushHoldEndpoints();
        return app;
    }
}
