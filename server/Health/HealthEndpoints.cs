using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
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
        routes.MapHealthChecks(LivePath, new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync })
            .WithMetadata(new HttpMethodMetadata(["GET", "HEAD"]));
        routes.MapHealthChecks(ReadyPath, new HealthCheckOptions { Predicate = c => c.Tags.Contains(Readiness), ResponseWriter = WriteAsync })
            .WithMetadata(new HttpMethodMetadata(["GET", "HEAD"]));
    }

    // {"status": "healthy" | "unhealthy", "checks": {"NAME": {"status", "description"}}}: what failed, in words.
    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        if (HttpMethods.IsHead(context.Request.Method))
        {
            return Task.CompletedTask;
        }

        var body = new HealthResponse(
            Name(report.Status),
            report.Entries.ToDictionary(e => e.Key, e => new HealthCheckState(Name(e.Value.Status), e.Value.Description ?? string.Empty), StringComparer.Ordinal));
        return JsonSerializer.SerializeAsync(context.Response.Body, body, HealthJsonContext.Default.HealthResponse, context.RequestAborted);
    }

    private static string Name(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => "healthy",
        HealthStatus.Degraded => "degraded",
        _ => "unhealthy",
    };
}
