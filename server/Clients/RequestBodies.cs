using Microsoft.AspNetCore.Http.Features;

namespace Berth.Server.Clients;

/// <summary>Whether a request carries a body, and how a refusal keeps a client from holding the connection with one.</summary>
public static class RequestBodies
{
    /// <summary>Whether the request has a body: a Content-Length above zero, chunks, or (HTTP/2 and later) a stream that is not ended.</summary>
    public static bool HasBody(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Features.Get<IHttpRequestBodyDetectionFeature>() is { } detection
            ? detection.CanHaveBody
            : context.Request.ContentLength > 0 || (context.Request.ContentLength is null && context.Request.Headers.TransferEncoding.Count > 0);
    }

    /// <summary>
    /// After the response, Kestrel reads and discards an unread body before it closes the connection, even one that
    /// will not be kept (to spare the client a reset), for up to five seconds: a refused client that trickles would
    /// hold the connection that long. With no body allowed, that read fails at once and the connection closes; the
    /// response says so. HTTP/2 and later refuse a stream, not the connection, and have no such header.
    /// </summary>
    public static void CloseAfterResponse(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
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
}
