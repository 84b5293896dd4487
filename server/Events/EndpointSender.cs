using System.Net.Http.Headers;
using System.Text.Json;
using Berth.Server.Configuration;
using Berth.Server.Scheduling;

namespace Berth.Server.Events;

/// <summary>
/// Delivers the outbox to one endpoint, in order, at least once: a few events per POST, the ones after its durable
/// cursor; a 2xx moves the cursor past them, anything else (or no answer within the timeout) sends the same events
/// again after the backoff, doubling up to its ceiling, for as long as it takes. Failing and recovering are logged
/// once each, not at every retry.
/// </summary>
internal sealed class EndpointSender(
    NotificationEndpointOptions endpoint, IReadOnlyList<string> allEndpoints, IEventStore outbox, ILeadership leadership, HttpClient http, TimeProvider clock, ILogger logger)
{
    // Events per POST: a listener gets a few at a time, and one refused costs a few to send again.
    private const int EventsPerEnvelope = 10;

    // Events read from the outbox at a time: those this endpoint does not want are passed over in the same read.
    private const int ReadSize = 100;

    // How often an idle sender looks for new events.
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(200);

    private readonly EventFilter _filter = new(endpoint);
    private readonly string _key = endpoint.Key;
    private DateTimeOffset? _failingSince;

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        try
        {
            long? cursor = null;
            var pruned = cursor;
            var term = 0L;
            var backoff = endpoint.Backoff;
            while (!stoppingToken.IsCancellationRequested)
            {
                var whileLeading = leadership.WhileLeading;
                try
                {
                    // Only the leading server sends; one that comes to lead (again) reads the cursor where the last leader left it.
                    if (!leadership.IsLeader)
                    {
                        cursor = null;
                        await Task.Delay(Poll, clock, stoppingToken);
                        continue;
                    }

                    // What is sent as leader stops when the term ends: the next leader sends from the durable cursor,
                    // and two leaders' deliveries (and cursor moves) never overlap.
                    using var leading = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, whileLeading);
                    var token = leading.Token;
                    if (cursor is null || term != leadership.Term)
                    {
                        term = leadership.Term;
                        cursor = await outbox.CursorAsync(_key, token);
                        pruned = cursor;
                    }

                    var read = await outbox.ReadAfterAsync(cursor.Value, ReadSize, token);
                    if (read.Count == 0)
                    {
                        if (pruned != cursor)
                        {
                            // Idle: a good moment to drop what every endpoint has passed.
                            await outbox.PruneAsync(allEndpoints, token);
                            pruned = cursor;
                        }

                        await Task.Delay(Poll, clock, stoppingToken);
                        continue;
                    }

                    var (batch, through) = Next(read);
                    if (batch.Count > 0 && !await TryDeliverAsync(batch, token))
                    {
                        await Task.Delay(backoff, clock, stoppingToken);
                        backoff = Doubled(backoff);
                        continue;
                    }

                    backoff = endpoint.Backoff;
                    await outbox.AdvanceAsync(_key, through, token);
                    cursor = through;
                }
                catch (OperationCanceledException) when (whileLeading.IsCancellationRequested && !stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning("Event endpoint {Endpoint}: sending stopped, this server no longer leads; the leader sends from the last delivered event", _key);
                    cursor = null;
                }
                catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    // Whatever failed (the outbox, the request), a sender that ended would take the server down with it
                    // (a background service that throws stops the host): say so, wait, and go on from the same cursor.
                    logger.LogError(e, "Event endpoint {Endpoint}: sending failed unexpectedly; trying again in {Backoff}", _key, backoff);
                    await Task.Delay(backoff, clock, stoppingToken);
                    backoff = Doubled(backoff);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: the cursor stays where the last delivery left it, and the next start goes on from there.
        }
    }

    private TimeSpan Doubled(TimeSpan backoff) => TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, endpoint.MaxBackoff.Ticks));

    /// <summary>The next events this endpoint wants, in order, and the position to move its cursor to once they are taken.</summary>
    private (List<NotificationEvent> Batch, long Through) Next(IReadOnlyList<OutboxEntry> read)
    {
        var batch = new List<NotificationEvent>();
        var through = read[0].Position;
        foreach (var entry in read)
        {
            if (_filter.Wants(entry.Event))
            {
                if (batch.Count == EventsPerEnvelope)
                {
                    break;
                }

                batch.Add(entry.Event);
            }

            through = entry.Position;
        }

        return (batch, through);
    }

    private async Task<bool> TryDeliverAsync(List<NotificationEvent> batch, CancellationToken leading)
    {
        string? failure;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(leading);
            timeout.CancelAfter(endpoint.Timeout);
            using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url)
            {
                Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(new EventEnvelope(batch), EventJsonContext.Default.EventEnvelope)),
            };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(EventEnvelope.MediaType);
            foreach (var (name, value) in endpoint.Headers)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }

            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            failure = response.IsSuccessStatusCode ? null : $"it answered {(int)response.StatusCode} {response.ReasonPhrase}";
        }
        catch (OperationCanceledException) when (!leading.IsCancellationRequested)
        {
            failure = $"it did not answer within {endpoint.Timeout}";
        }
        catch (HttpRequestException e)
        {
            failure = e.Message;
        }

        if (failure is null)
        {
            if (_failingSince is { } since)
            {
                logger.LogInformation("Event endpoint {Endpoint} takes events again, after failing since {Since:u}", _key, since);
                _failingSince = null;
            }

            return true;
        }

        if (_failingSince is null)
        {
            _failingSince = clock.GetUtcNow();
            logger.LogWarning(
                "Event endpoint {Endpoint} is failing since {Since:u}: {Failure}; its events wait in the outbox and are sent again, in order, until it takes them",
                _key,
                _failingSince,
                failure);
        }

        return false;
    }
}
