using Berth.Server.Access;
using Berth.Server.Configuration;
using Berth.Server.Hosting;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Berth.Server.Diagnostics;

/// <summary>
/// <c>GET /metrics</c> (<see cref="MetricsOptions.Path"/>): the server's meters in the Prometheus text format, through
/// OpenTelemetry's exporter, which names each series after its instrument and unit (<c>berth.store.transaction</c>
/// in ms is <c>berth_store_transaction_milliseconds</c>, a counter gains <c>_total</c>). Exported: Berth's own meter,
/// the runtime's (<c>System.Runtime</c>: GC, heap, thread pool, exceptions, CPU time, working set) and Kestrel's
/// (connections). ASP.NET Core's own request meter is not: <see cref="RequestMetrics"/> times requests with routes
/// the registry's catch-all endpoint can name.
/// </summary>
public static class MetricsExport
{
    private static readonly string[] Meters = [ServerMetrics.MeterName, "System.Runtime", "Microsoft.AspNetCore.Server.Kestrel"];

    public static IServiceCollection AddMetricsExport(this IServiceCollection services)
    {
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("berth", serviceVersion: ServerUsage.Version))
            .WithMetrics(metrics => metrics.AddMeter(Meters).AddPrometheusExporter());
        return services;
    }

    /// <summary>Maps the scrape endpoint (GET and HEAD) behind the access <see cref="MetricsOptions.Access"/> asks for.</summary>
    public static void MapMetricsScrape(this IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        var options = routes.ServiceProvider.GetRequiredService<IOptions<BerthOptions>>().Value.Metrics;
        routes.MapPrometheusScrapingEndpoint(options.Path, meterProvider: null, configureBranchedPipeline: branch => branch.Use(RequireAccess(options.Access)), optionsName: null)
            .WithMetadata(new HttpMethodMetadata(["GET", "HEAD"]));
    }

    private static Func<HttpContext, RequestDelegate, Task> RequireAccess(MetricsAccess access) => access switch
    {
        MetricsAccess.Anyone => static (context, next) => next(context),
        MetricsAccess.SignedIn => static async (context, next) =>
        {
            await context.RequestServices.GetRequiredService<AccessControl>().RequireSignedInAsync(context);
            await next(context);
        }
        ,
        MetricsAccess.Administrators => static async (context, next) =>
        {
            await context.RequestServices.GetRequiredService<AccessControl>().RequireAdministratorAsync(context);
            await next(context);
        }
        ,
        _ => throw new ArgumentOutOfRangeException(nameof(access), access, "no such access"),
    };
}
