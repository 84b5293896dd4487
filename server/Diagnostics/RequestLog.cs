using System.Diagnostics;
using Berth.Server.Access;

namespace Berth.Server.Diagnostics;

/// <summary>
/// One line per request, written when it ends, in the log category <see cref="Category"/> (so that
/// <c>Logging:LogLevel:Berth.Requests</c> turns it down or off): method, route template, status, body bytes received
/// and sent, duration, caller and trace id, as named values that a structured formatter (the JSON console formatter)
/// writes as fields. It runs first, so that it sees every request: those held or refused by start-up, by an
/// anonymous body, or failed by an error.
/// </summary>
/// <remarks>
/// The route is the endpoint's template, never the path, so that lines group by endpoint whatever the repository;
/// the path is a field of its own, as an operator asked why a pull failed needs to know what was pulled. The query is
/// left out: it is the registry's digests and upload states, and pages. Like every entry, the line is escaped by the
/// server's logger factory (<see cref="Logging.EscapingLoggerFactory"/>): a path cannot end it.
/// </remarks>
public sealed partial class RequestLog(ILoggerFactory loggers)
{
    public const string Category = "Berth.Requests";

    /// <summary>The status logged for a request that got no response: the connection closed before one began (as nginx logs it).</summary>
    public const int NoResponse = 499;

    private readonly ILogger _log = loggers.CreateLogger(Category);

    /// <summary>Middleware: serves the request, then logs it, when the category is on.</summary>
    public Task LogAsync(HttpContext context, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(next);
        return _log.IsEnabled(LogLevel.Information) ? ServeAndLogAsync(context, next) : next(context);
    }

    private async Task ServeAndLogAsync(HttpContext context, RequestDelegate next)
    {
        var started = Stopwatch.GetTimestamp();
        var record = RequestRecord.For(context);
        var traceId = TraceIds.Of(context);
        var failed = false;
        try
        {
            await next(context);
        }
        catch
        {
            failed = true;
            throw;
        }
        finally
        {
            var response = context.Response;
            var status = response.HasStarted ? response.StatusCode
                : failed ? StatusCodes.Status500InternalServerError
                : context.RequestAborted.IsCancellationRequested ? NoResponse
                : response.StatusCode;
            Served(
                _log,
                context.Request.Method,
                RequestRoute.Of(context),
                status,
                Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 3),
                record.Received.Value,
                record.Sent.Value,
                AccessControl.KnownCaller(context)?.Login ?? "anonymous",
                traceId,
                context.Request.Path.Value ?? string.Empty);
        }
    }


    [LoggerMessage(
        EventId = 1,
        Level = LogLevel.Information,
        Message = "{Method} {Route} {Status} {DurationMs} ms received={BytesReceived} sent={BytesSent} caller={Caller} trace={TraceId} path={Path}")]
    private static partial void Served(
        ILogger logger, string method, string route, int status, double durationMs, long bytesReceived, long bytesSent, string caller, string traceId, string path);
}
