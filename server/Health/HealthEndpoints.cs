using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Berth.Server.Health;

/// <summary>
/// <c>GET /healthz</c>: the process answers (200, checks nothing, so that a supervisor restarts only a hung process).
/// <c>GET /readyz</c>: the server can serve: started, metadata store and content store answering, importers loaded
/// (200; otherwise 503 naming each reason). Open to anyone, and answered while start-up holds other requests.
/// </summary>
public static class HealthEndpoints
{
    public const string LivePath = "/healthz";
    public const string ReadyPath = "/readyz";

    /// <summary>The tag of the checks <c>/readyz</c> runs.</summary>
    public const string Readiness = "ready";

    public static bool Owns(PathString path) => path.Equals(LivePath, StringComparison.Ordinal) || path.Equals(ReadyPath, StringComparison.Ordinal);

    public static void MapHealthEndpoints(this IEndpointRouteBuilder routes)
    {
        // Handlers rather than MapHealthChecks, so that the OpenAPI document sees them and their answers.
        MapProbe(routes, LivePath, "Liveness", "The process answers; checks nothing.", _ => false);
        var (get, head) = MapProbe(routes, ReadyPath, "Readiness", "The server can serve: started, stores answering, importers loaded; 503 names what is not.", c => c.Tags.Contains(Readiness));
        get.Produces<HealthResponse>(StatusCodes.Status503ServiceUnavailable);
        head.Produces(StatusCodes.Status503ServiceUnavailable);
    }

    // GET and HEAD as two operations: an OpenAPI operation id names one method.
    private static (RouteHandlerBuilder Get, RouteHandlerBuilder Head) MapProbe(IEndpointRouteBuilder routes, string path, string name, string summary, Func<HealthCheckRegistration, bool> predicate)
    {
        Task<IResult> HandleAsync(HttpContext context, HealthCheckService health, ReadinessLog log) => CheckAsync(context, health, log, predicate);
        var get = routes.MapGet(path, HandleAsync).WithName($"get{name}").WithTags("Health").WithSummary(summary).Produces<HealthResponse>();
        var head = routes.MapMethods(path, [HttpMethods.Head], HandleAsync).WithName($"head{name}").WithTags("Health").WithSummary(summary).Produces(StatusCodes.Status200OK);
        return (get, head);
    }

    // {"status": "healthy" | "unhealthy", "checks": {"NAME": {"status", "description"}}}: what failed, in words.
    private static async Task<IResult> CheckAsync(HttpContext context, HealthCheckService health, ReadinessLog log, Func<HealthCheckRegistration, bool> predicate)
    {
        var report = await health.CheckHealthAsync(predicate, context.RequestAborted);
        if (context.Request.Path.Equals(ReadyPath, StringComparison.Ordinal))
        {
            log.Report(report);
        }

        context.Response.Headers.CacheControl = "no-store";
        var status = report.Status == HealthStatus.Unhealthy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
        if (HttpMethods.IsHead(context.Request.Method))
        {
            context.Response.ContentType = "application/json; charset=utf-8";
            return TypedResults.StatusCode(status);
        }

        var body = new HealthResponse(
            Name(report.Status),
            report.Entries.ToDictionary(e => e.Key, e => new HealthCheckState(Name(e.Value.Status), e.Value.Description ?? string.Empty), StringComparer.Ordinal));
        return TypedResults.Json(body, HealthJsonContext.Default.HealthResponse, "application/json; charset=utf-8", status);
    }

    private static string Name(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => "healthy",
        HealthStatus.Degraded => "degraded",
        _ => "unhealthy",
    };
}
