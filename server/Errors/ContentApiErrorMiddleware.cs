using Berth.Plugins;
using Berth.Server.Json;
using Berth.Server.Uploads;
using Microsoft.AspNetCore.Http.Features;

namespace Berth.Server.Errors;

/// <summary>
/// The one place where the content API turns failures into responses: domain errors from the server and
/// refusals from importers become Pulp-shaped 4xx errors; anything else is a logged 500 that says where to look.
/// </summary>
public sealed class ContentApiErrorMiddleware(RequestDelegate next, ILogger<ContentApiErrorMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            logger.LogDebug("{Method} {Path}: the client went away", context.Request.Method, context.Request.Path);
        }
        catch (Exception exception) when (!context.Response.HasStarted)
        {
            var (error, message, details) = Describe(exception, context);
            if (error.Status >= StatusCodes.Status500InternalServerError)
            {
                logger.LogError(exception, "{Method} {Path} failed", context.Request.Method, context.Request.Path);
            }
            else
            {
                logger.LogInformation("{Method} {Path}: {Status} {Message}", context.Request.Method, context.Request.Path, error.Status, message);
            }

            await WriteAsync(context, error, message, details);
        }
    }

    public static Task WriteAsync(HttpContext context, ApiError error, string message, System.Text.Json.Nodes.JsonObject details)
    {
        context.Response.Clear();
        context.Response.StatusCode = error.Status;
        var body = new PulpError(
            error.Status,
            context.Request.Method,
            context.Request.Path,
            message,
            new PulpErrorDetail(error.Code, message, details));
        return context.Response.WriteAsJsonAsync(body, ContentApiJsonContext.Api.PulpError, cancellationToken: context.RequestAborted);
    }

    private static (ApiError Error, string Message, System.Text.Json.Nodes.JsonObject Details) Describe(Exception exception, HttpContext context) =>
        exception switch
        {
            ApiException e => (e.Error, e.Message, e.Details),
            ContentException e => (ApiError.For(e.Error), e.Message, e.Details),
            UploadOffsetException e => (ApiError.UploadOffsetInvalid, e.Message, new System.Text.Json.Nodes.JsonObject { ["size"] = e.Size, ["offset"] = e.Offset }),
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => (
                ApiError.RequestTooLarge,
                $"the request body is larger than the {context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize} bytes this endpoint accepts",
                []),
            BadHttpRequestException e => (ApiError.InvalidRequest, $"the request could not be read: {e.Message}", []),
            _ => (ApiError.Internal, $"the server failed to handle the request; its log has the details (trace id {context.TraceIdentifier})", []),
        };
}
