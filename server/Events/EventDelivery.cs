using Berth.Server.Configuration;
using Berth.Server.Hosting;
using Berth.Server.Scheduling;
using Microsoft.Extensions.Options;

namespace Berth.Server.Events;

/// <summary>
/// Sends the outbox to every configured endpoint, each on its own (see <see cref="EndpointSender"/>), from the moment
/// the data folder is open until the server stops; with no endpoint configured it does nothing at all.
/// </summary>
public sealed class EventDelivery(
    IOptions<BerthOptions> options, Deferred<IEventStore> outbox, ILeadership leadership, StartupGate gate, TimeProvider clock, ILoggerFactory loggers) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var endpoints = options.Value.Notifications.Endpoints;
        if (endpoints.Count == 0)
        {
            return;
        }

        try
        {
            await gate.OpenedAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            // Stopping, or start-up failed: there is nothing to send from.
            return;
        }

        using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = Timeout.InfiniteTimeSpan };
        var keys = endpoints.Select(e => e.Key).ToList();
        var logger = loggers.CreateLogger<EndpointSender>();
        await Task.WhenAll(endpoints.Select(e => new EndpointSender(e, keys, outbox.Value, leadership, http, clock, logger).RunAsync(stoppingToken)));
    }
}
