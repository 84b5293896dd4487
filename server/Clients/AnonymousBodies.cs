using Berth.Server.Access;
using Microsoft.AspNetCore.Http.Features;

namespace Berth.Server.Clients;

/// <summary>
/// Credentials before bodies, on every endpoint: a request that carries a body (a Content-Length above zero, or
/// chunks) is signed in before anything reads a byte of it, and refused with the API's own 401 when it is
/// anonymous or its credentials are wrong. No anonymous client has a body to send (anonymous callers only read:
/// status, tokens, and repositories open to anonymous pulls), so a body from one can only hold a connection and
/// a buffer for nothing. The refusal closes the connection at once, without reading the rest of the body.
/// </summary>
public static class AnonymousBodies
{
    /// <summary>
    /// Marks an endpoint that checks the caller's access itself before reading its body, and lets anonymous callers
    /// send one where the repository allows them to read (a unit search of a repository open to anonymous pulls).
    /// Credentials that are sent must still sign in.
    /// </summary>
    public static readonly object Allowed = new AnonymousBodyAllowed();

    public static async Task RefuseAsync(HttpContext context, Func<Task> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (HasBody(context))
        {
            var access = context.RequestServices.GetRequiredService<AccessControl>();
            try
            {
                if (context.GetEndpoint()?.Metadata.GetMetadata<AnonymousBodyAllowed>() is null)
                {
                    await access.RequireSignedInAsync(context);
                }
                else
                {
                    await access.CallerAsync(context);
                }
            }
            catch (AccessDeniedException)
            {
                CloseAfterResponse(context);
                throw;
            }
        }

        await next();
    }

    private static bool HasBody(HttpContext context) =>
        context.Features.Get<IHttpRequestBodyDetectionFeature>() is { } detection
            ? detection.CanHaveBody
            : context.Request.ContentLength > 0 || (context.Request.ContentLength is null && context.Request.Headers.TransferEncoding.Count > 0);

    /// <summary>
    /// After the response, Kestrel reads and discards an unread body before it closes the connection, even one that
    /// will not be kept (to spare the client a reset), for up to five seconds: the refused client would hold the
    /// connection that long. With no body allowed, that read fails at once and the connection closes; the response
    /// says so. HTTP/2 and later refuse a stream, not the connection, and have no such header.
    /// </summary>
    private static void CloseAfterResponse(HttpContext context)
    {
        if (!HttpProtocol.IsHttp11(context.Request.Protocol) && !HttpProtocol.IsHttp10(context.Request.Protocol))
        {
            return;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = 0;
        }

        // Set as the response starts: the error mapping clears the headers before it writes the refusal.
        context.Response.OnStarting(() =>
        {
            context.Response.Headers.Connection = "close";
            return Task.CompletedTask;
        });
    }

    private sealed class AnonymousBodyAllowed;
}
