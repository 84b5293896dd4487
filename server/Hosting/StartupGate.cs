namespace Berth.Server.Hosting;

/// <summary>
/// Holds requests from the moment the server listens until its data folder is ready. The server listens first so
/// that an address already in use stops start-up before anything is created in the data folder (no administrator
/// whose password nobody saw); a request that arrives meanwhile waits here rather than finding nothing open.
/// </summary>
public sealed class StartupGate
{
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Whether the data folder is ready.</summary>
    public bool IsOpen => _ready.Task.IsCompletedSuccessfully;

    /// <summary>Completes when the data folder is ready; cancelled when start-up failed.</summary>
    public Task OpenedAsync(CancellationToken cancellationToken) => _ready.Task.WaitAsync(cancellationToken);

    /// <summary>The data folder is ready: requests go on.</summary>
    public void Open() => _ready.TrySetResult();

    /// <summary>Start-up failed: the requests held are dropped, as the server is about to exit.</summary>
    public void Fail() => _ready.TrySetCanceled();

    /// <summary>Middleware: the request goes on once the gate is open.</summary>
    public Task HoldAsync(HttpContext context, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        return IsOpen || IsProbe(context) ? next(context) : WaitAsync(context, next);
    }

    // Health probes and the OpenAPI document answer while starting (/readyz says what it waits for); one with a body
    // waits like any request, as signing its sender in would open the data folder.
    private static bool IsProbe(HttpContext context) =>
        (Health.HealthEndpoints.Owns(context.Request.Path) || context.Request.Path.Equals(OpenApi.ApiDocument.Path, StringComparison.Ordinal)) &&
        !Clients.RequestBodies.HasBody(context);

    private async Task WaitAsync(HttpContext context, RequestDelegate next)
    {
        try
        {
            await _ready.Task.WaitAsync(context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            context.Abort();
            return;
        }

        await next(context);
    }
}
