using System.Diagnostics;
using Berth.Server.Access;
using Berth.Server.Health;

namespace Berth.Server.Diagnostics;

/// <summary>
/// Middleware: counts every request, and times it by API, route template, method and status, with labels of bounded
/// cardinality only (a route template, never a repository name, tag or digest). The labels are strings the server
/// holds already, so that a request allocates nothing for them: the registry's GETs run at thousands a second.
/// </summary>
public sealed class RequestMetrics(PathString metricsPath)
{
    /// <summary>The route of a request no endpoint took (or one the registry did not recognise).</summary>
    public const string Unmatched = "unmatched";

    private const string UsersRoot = ContentApi.Root + "/users";

    private static readonly object RouteKey = new();

    // "100".."599", made once: a status tag must not box or format per request.
    private static readonly string[] StatusTexts = [.. Enumerable.Range(0, 600).Select(code => code.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    /// <summary>
    /// Names the route of a request whose endpoint dispatches by itself (the registry's catch-all): a template of
    /// fixed strings such as <c>/v2/{name}/manifests/{reference}</c>.
    /// </summary>
    public static void NameRoute(HttpContext context, string template)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Items[RouteKey] = template;
    }

    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        ServerMetrics.Requests.Add(1);
        var started = Stopwatch.GetTimestamp();
        Task handling;
        try
        {
            handling = next(context);
        }
        catch
        {
            Record(context, started);
            throw;
        }

        if (handling.IsCompletedSuccessfully)
        {
            Record(context, started);
            return Task.CompletedTask;
        }

        return RecordAfterAsync(handling, context, started);
    }

    private async Task RecordAfterAsync(Task handling, HttpContext context, long started)
    {
        try
        {
            await handling;
        }
        finally
        {
            Record(context, started);
        }
    }

    private void Record(HttpContext context, long started)
    {
        var request = context.Request;
        var response = context.Response;
        var api = Api(request.Path);
        var tags = new TagList
        {
            { "api", api },
            { "http.route", Route(context) },
            { "http.request.method", Method(request.Method) },
            { "http.response.status_code", (uint)response.StatusCode < StatusTexts.Length ? StatusTexts[response.StatusCode] : "other" },
        };
        ServerMetrics.RequestDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds, tags);

        // Declared lengths; an upload segment without one (chunked) counts as it is written (UploadService).
        if (request.ContentLength is > 0 and var received)
        {
            ServerMetrics.BytesReceived.Add(received);
        }

        if (response.ContentLength is > 0 and var sent && !HttpMethods.IsHead(request.Method))
        {
            ServerMetrics.BytesSent.Add(sent);
        }
    }

    private string Api(PathString path)
    {
        if (path.StartsWithSegments(TokenChallenge.TokenPath, StringComparison.Ordinal))
        {
            return "token";
        }

        if (Registry.RegistryApi.Owns(path))
        {
            return "registry";
        }

        if (path.StartsWithSegments(UsersRoot, StringComparison.Ordinal))
        {
            return "user";
        }

        if (path.StartsWithSegments(ContentApi.Root, StringComparison.Ordinal))
        {
            return "content";
        }

        if (HealthEndpoints.Owns(path))
        {
            return "health";
        }

        return path.Equals(metricsPath, StringComparison.Ordinal) ? "metrics" : "other";
    }

    private static string Route(HttpContext context)
    {
        if (context.Items.TryGetValue(RouteKey, out var named) && named is string template)
        {
            return template;
        }

        return context.GetEndpoint() is RouteEndpoint { RoutePattern.RawText: { } raw } ? raw : Unmatched;
    }

    // Known methods as the framework's own strings; anything else as one value, as OpenTelemetry's conventions say.
    private static string Method(string method) =>
        HttpMethods.IsGet(method) ? HttpMethods.Get
        : HttpMethods.IsHead(method) ? HttpMethods.Head
        : HttpMethods.IsPut(method) ? HttpMethods.Put
        : HttpMethods.IsPost(method) ? HttpMethods.Post
        : HttpMethods.IsPatch(method) ? HttpMethods.Patch
        : HttpMethods.IsDelete(method) ? HttpMethods.Delete
        : HttpMethods.IsOptions(method) ? HttpMethods.Options
        : "_OTHER";
}
