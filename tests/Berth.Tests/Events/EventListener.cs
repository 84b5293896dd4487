using System.Text.Json.Nodes;
using Berth.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Berth.Tests.Events;

/// <summary>
/// A webhook listener on loopback, as an operator's would be: it records every delivery (headers and events), answers
/// 200, or 500 while <see cref="Failing"/>, or not at all while it holds deliveries (<see cref="Hold"/>), and can be
/// stopped and started again on the same port.
/// </summary>
public sealed class EventListener : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly List<EventDelivery> _deliveries = [];
    private WebApplication? _app;
    private TaskCompletionSource? _held;
    private int _holding;
    private int _abandoned;

    private EventListener(int port) => Port = port;

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}/events";

    /// <summary>Whether deliveries are answered 500.</summary>
    public bool Failing { get; set; }

    /// <summary>Every POST received, in order, with what it was answered.</summary>
    public IReadOnlyList<EventDelivery> Deliveries
    {
        get
        {
            lock (_gate)
            {
                return [.. _deliveries];
            }
        }
    }

    /// <summary>Deliveries held unanswered now.</summary>
    public int Holding => Volatile.Read(ref _holding);

    /// <summary>Held deliveries whose sender gave up (closed the request) before they were answered.</summary>
    public int Abandoned => Volatile.Read(ref _abandoned);

    /// <summary>Deliveries from now on get no answer until <see cref="Release"/> or until their sender gives up.</summary>
    public void Hold()
    {
        lock (_gate)
        {
            _held ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    /// <summary>Held deliveries are answered, and the next ones at once.</summary>
    public void Release()
    {
        lock (_gate)
        {
            _held?.TrySetResult();
            _held = null;
        }
    }

    /// <summary>The events of the deliveries answered 200, in order.</summary>
    public IReadOnlyList<JsonObject> Accepted => [.. Deliveries.Where(d => d.Status == 200).SelectMany(d => d.Events)];

    /// <summary>A listener on a free port.</summary>
    public static async Task<EventListener> StartAsync()
    {
        var listener = new EventListener(LoopbackPorts.Take());
        await listener.StartAgainAsync();
        return listener;
    }

    /// <summary>A listener on a free port, not yet listening: nothing answers there until <see cref="StartAgainAsync"/>.</summary>
    public static EventListener Down() => new(LoopbackPorts.Take());

    public async Task StartAgainAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{Port}");
        var app = builder.Build();
        app.MapPost("/events", ReceiveAsync);
        await app.StartAsync();
        _app = app;
    }

    public async Task StopAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    private async Task ReceiveAsync(HttpContext context)
    {
        var body = await JsonNode.ParseAsync(context.Request.Body);
        Task? held;
        lock (_gate)
        {
            held = _held?.Task;
        }

        if (held is not null)
        {
            Interlocked.Increment(ref _holding);
            try
            {
                await held.WaitAsync(context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                Interlocked.Increment(ref _abandoned);
                return;
            }
            finally
            {
                Interlocked.Decrement(ref _holding);
            }
        }

        var status = Failing ? StatusCodes.Status500InternalServerError : StatusCodes.Status200OK;
        var delivery = new EventDelivery(
            status,
            context.Request.ContentType,
            context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            [.. body!["events"]!.AsArray().Select(e => e!.AsObject())]);
        lock (_gate)
        {
            _deliveries.Add(delivery);
        }

        context.Response.StatusCode = status;
    }
}

/// <summary>One POST the listener received.</summary>
public sealed record EventDelivery(int Status, string? ContentType, IReadOnlyDictionary<string, string> Headers, IReadOnlyList<JsonObject> Events);
