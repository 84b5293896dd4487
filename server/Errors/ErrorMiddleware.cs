using Berth.Server.Registry;
using Microsoft.AspNetCore.Connections;

namespace Berth.Server.Errors;

/// <summary>
/// The one place where failures become responses. Each API maps exceptions in its own way, in one mapping each:
/// Pulp-shaped errors on the content API (<see cref="ContentApiErrors"/>), the OCI envelope on the registry API
/// (<see cref="RegistryErrors"/>). Client mistakes are logged briefly; anything else is a logged 500 that says
/// where to look.
/// </summary>
public sealed class ErrorMiddleware(RequestDelegate next, ILogger<ErrorMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (Exception e) when (e is ConnectionResetException || (e is OperationCanceledException && context.RequestAborted.IsCancellationRequested))
        {
            // The client went away (it reset the connection, say, mid-upload): nothing to answer, and not our fault.
            // Aborting tells Kestrel not to drain the rest of the body: the read that failed may still count as in
            // progress inside Kestrel (dotnet/aspnetcore#17840), and draining would then log an error of its own.
            context.Abort();
            logger.LogDebug("{Method} {Path}: the client went away", context.Request.Method, context.Request.Path);
        }
        catch (Exception exception) when (!context.Response.HasStarted)
        {
            var failure = RegistryApi.Owns(context.Request.Path)
                ? RegistryErrors.Describe(exception, context)
                : ContentApiErrors.Describe(exception, context);
            if (failure.IsServerFault)
            {
                logger.LogError(exception, "{Method} {Path} failed", context.Request.Method, context.Request.Path);
            }
            else
            {
                logger.LogInformation("{Method} {Path}: {Status} {Message}", context.Request.Method, context.Request.Path, failure.Status, failure.Message);
            }

            // A refused caller's unread body is not worth draining: the connection closes instead.
            if (exception is Access.AccessDeniedException && Clients.RequestBodies.HasBody(context))
            {
                Clients.RequestBodies.CloseAfterResponse(context);
            }

            context.Response.Clear();
            await failure.WriteAsync(context);
        }
    }
}
