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
    private const string UsersRoot = ContentApi.Root + "/users";

    // "100".."599", made once: a status tag must not box or format per request.
    private static readonly string[] StatusTexts = [.. Enumerable.Range(0, 600).Select(code => code.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        ServerMetrics.Requests.Add(1);
        var started = Stopwatch.GetTimestamp();
        var record = RequestRecord.For(context);
        Task handling;
        try
        {
            handling = next(context);
        }
        catch
        {
            Record(context, record, started);
            throw;
        }

        if (handling.IsCompletedSuccessfully)
        {
            Record(context, record, started);
            return Task.CompletedTask;
        }

        return RecordAfterAsync(handling, context, record, started);
    }

    private async Task RecordAfterAsync(Task handling, HttpContext context, RequestRecord record, long started)
    {
        try
        {
            await handling;
        }
        finally
        {
            Record(context, record, started);
        }
    }

    private void Record(HttpContext context, RequestRecord record, long started)
    {
        var request = context.Request;
        var response = context.Response;
        var api = Api(request.Path);
        var tags = new TagList
        {
            { "api", api },
            { "http.route", RequestRoute.Of(context) },
            { "http.request.method", Method(request.Method) },
            { "http.response.status_code", (uint)response.StatusCode < StatusTexts.Length ? StatusTexts[response.StatusCode] : "other" },
        };
        ServerMetrics.RequestDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds, tags);

        if (record.Received.Value > 0)
        {
            ServerMetrics.BytesReceived.Add(record.Received.Value);
        }

        if (record.Sent.Value > 0)
        {
            ServerMetrics.BytesSent.Add(record.Sent.Value);
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
