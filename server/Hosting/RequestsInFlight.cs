using System.Globalization;
using Microsoft.Extensions.Options;

namespace Berth.Server.Hosting;

/// <summary>
/// Counts the requests being served, so that a stopping server says what it waits for and for how long at most.
/// On Ctrl-C or SIGTERM, requests in flight get <see cref="Configuration.BerthOptions.ShutdownTimeout"/> to finish
/// (an upload of gigabytes may not), then are cut off. What was acknowledged stays: an upload cut off holds what it
/// acknowledged, and its client resumes from there.
/// </summary>
public sealed class RequestsInFlight(IOptions<HostOptions> host, ILogger<RequestsInFlight> logger) : IHostedLifecycleService
{
    private int _count;

    /// <summary>Middleware: counts the request while it runs.</summary>
    public async Task TrackAsync(HttpContext context, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(next);
        Interlocked.Increment(ref _count);
        try
        {
            await next(context);
        }
        finally
        {
            Interlocked.Decrement(ref _count);
        }
    }

    /// <summary>Before the server stops listening and starts waiting: says for what, and how long at most.</summary>
    public Task StoppingAsync(CancellationToken cancellationToken)
    {
        var count = Volatile.Read(ref _count);
        var seconds = host.Value.ShutdownTimeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
        if (count == 1)
        {
            logger.LogInformation(
                "Waiting at most {Seconds} s (Berth:ShutdownTimeout) for 1 request in flight; if it has not finished by then it is cut off, and an upload cut off resumes from what it acknowledged",
                seconds);
        }
        else if (count > 1)
        {
            logger.LogInformation(
                "Waiting at most {Seconds} s (Berth:ShutdownTimeout) for {Count} requests in flight; those not finished by then are cut off, and an upload cut off resumes from what it acknowledged",
                seconds,
                count);
        }

        return Task.CompletedTask;
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
