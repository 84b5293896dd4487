using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Berth.Server.Health;

/// <summary>
/// One log line when the server becomes ready and one when it stops being ready, naming what failed; not one at every
/// probe: a balancer asks several times a second, and a server starting behind it would otherwise log each refusal.
/// </summary>
public sealed partial class ReadinessLog(ILogger<ReadinessLog> logger)
{
    /// <summary>The key of a check's data that the log adds to its description: what only operators may read (an address, say).</summary>
    public const string Detail = "detail";

    // Starts as ready, so that a server that is not ready at its first probe says so, and one that is says nothing
    // more than its start-up lines.
    private int _ready = 1;

    public void Report(HealthReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var ready = report.Status != HealthStatus.Unhealthy;
        if (Interlocked.Exchange(ref _ready, ready ? 1 : 0) == (ready ? 1 : 0))
        {
            return;
        }

        if (ready)
        {
            LogReady(logger);
        }
        else
        {
            LogNotReady(logger, string.Join("; ", report.Entries.Where(e => e.Value.Status == HealthStatus.Unhealthy).Select(e => e.Value.Data.TryGetValue(Detail, out var detail) ? $"{e.Key}: {e.Value.Description} ({detail})" : $"{e.Key}: {e.Value.Description}")));
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Ready: /readyz answers 200")]
    private static partial void LogReady(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Not ready: /readyz answers 503 ({Reasons})")]
    private static partial void LogNotReady(ILogger logger, string reasons);
}
