using System.Text.Json.Nodes;
using Berth.Plugins;
using Berth.Server.Access;
using Berth.Server.Imports;
using Berth.Server.Json;
using Berth.Server.Membership;
using Berth.Server.Orphans;
using Berth.Server.Uploads;
using Microsoft.AspNetCore.Http.Features;

namespace Berth.Server.Errors;

/// <summary>How the content API reports failures: Pulp 2's error body, with the codes of <see cref="ApiError"/>.</summary>
public static class ContentApiErrors
{
    public static ApiFailure Describe(Exception exception, HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Map(exception, context, context.TraceIdentifier);
    }

    /// <summary>
    /// Why a task failed, as Pulp 2 shows it in the task's <c>error</c>: the code, description and data the content API would
    /// answer had the work run within a request. <paramref name="traceId"/> names the log lines of a failure of the server's own.
    /// </summary>
    public static JsonObject ForTask(Exception exception, string traceId)
    {
        var failure = Map(exception, null, traceId);
        var message = ErrorBodyLimits.Clamp(failure.Message);
        var detail = new PulpErrorDetail(failure.Error.Code, message, (JsonObject)ErrorBodyLimits.Clamp(failure.Details)!);
        return System.Text.Json.JsonSerializer.SerializeToNode(detail, ContentApiJsonContext.Api.PulpErrorDetail)!.AsObject();
    }

    private static PulpFailure Map(Exception exception, HttpContext? context, string traceId)
    {
        return exception switch
        {
            ApiException e => new PulpFailure(e.Error, e.Message, e.Details),
            StillNeededException e => new PulpFailure(
                ApiError.InvalidRequest,
                $"{e.Message}; remove those too, in the same request",
                new JsonObject { ["still_needed"] = new JsonArray([.. e.Needed.Select(n => JsonValue.Create(n.ToString()))]) }),
            UnitsIncompleteException e => new PulpFailure(
                ApiError.InvalidRequest,
                $"{e.Message}; nothing was changed",
                new JsonObject { ["missing"] = new JsonArray([.. e.Missing.Select(m => JsonValue.Create(m.Unit.ToString()))]) }),
            ContentInUseException e => new PulpFailure(ApiError.ContentInUse, e.Message, []),
            NotFoundException e => new PulpFailure(
                ApiError.MissingResource, e.Message, new JsonObject { ["resources"] = new JsonObject { [e.ResourceType] = e.Id } }),
            DuplicateException e => new PulpFailure(ApiError.DuplicateResource, e.Message, new JsonObject { ["resource_id"] = e.Id }),
            TooLargeException e => new PulpFailure(ApiError.RequestTooLarge, e.Message, new JsonObject { ["max_size"] = e.Limit }),
            UnknownUnitTypeException e => new PulpFailure(ApiError.UnknownUnitType, e.Message, new JsonObject { ["unit_type_id"] = e.UnitTypeId }),
            NoImporterException e => new PulpFailure(ApiError.NoImporterForType, e.Message, new JsonObject
            {
                ["unit_type_id"] = e.UnitTypeId,
                ["importers"] = new JsonArray([.. e.Registered.Select(r => JsonValue.Create(r))]),
            }),
            ReferenceGuardLostException e => new PulpFailure(ApiError.Unavailable, e.Message, []) { RetryAfter = TimeSpan.FromSeconds(1) },
            ContentException e => new PulpFailure(ApiError.For(e.Error), e.Message, e.Details),
            UploadOffsetException e => new PulpFailure(ApiError.UploadOffsetInvalid, e.Message, new JsonObject { ["size"] = e.Size, ["offset"] = e.Offset }),
            UploadLimitException { Limit: UploadLimit.OpenUploads } e => new PulpFailure(ApiError.UploadsOpenLimit, e.Message, []),
            UploadLimitException e => new PulpFailure(ApiError.UploadBytesLimit, e.Message, []),
            AccessDeniedException { Failure: AccessFailure.Unauthenticated } e => new PulpFailure(ApiError.Unauthenticated, e.Message, []) { Challenge = "Basic realm=\"Berth\", charset=\"UTF-8\"" },
            AccessDeniedException { Failure: AccessFailure.Forbidden } e => new PulpFailure(ApiError.Forbidden, e.Message, []),
            AccessDeniedException e => new PulpFailure(ApiError.TooManyAttempts, e.Message, []) { RetryAfter = e.RetryAfter },
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => new PulpFailure(
                ApiError.RequestTooLarge,
                $"the request body is larger than the {context?.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize} bytes this endpoint accepts",
                []),
            BadHttpRequestException { StatusCode: StatusCodes.Status408RequestTimeout } => new PulpFailure(
                ApiError.RequestTimeout,
                "the request body arrived too slowly: the server cuts off clients below its minimum data rate",
                []),
            IOException e when RequestBodyFaults.IsMalformedBody(e) => new PulpFailure(ApiError.InvalidRequest, $"the request could not be read: {e.Message}", []),
            BadHttpRequestException e => new PulpFailure(ApiError.InvalidRequest, $"the request could not be read: {e.Message}", []),
            _ => new PulpFailure(ApiError.Internal, $"the server failed to handle the request; its log has the details (trace id {traceId})", []),
        };
    }

    /// <summary>The failure for a request no endpoint answered (404) or answered for another method (405).</summary>
    public static ApiFailure NoEndpoint(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Response.StatusCode == StatusCodes.Status405MethodNotAllowed
            ? new PulpFailure(ApiError.MethodNotAllowed, $"{context.Request.Method} is not allowed on {context.Request.Path}", [])
            : new PulpFailure(ApiError.MissingResource, $"there is no endpoint {context.Request.Method} {context.Request.Path}", []);
    }

    private sealed record PulpFailure(ApiError Error, string Message, JsonObject Details) : ApiFailure(Error.Status, Message)
    {
        /// <summary>The <c>WWW-Authenticate</c> of a 401: how to sign in.</summary>
        public string? Challenge { get; init; }

        /// <summary>The <c>Retry-After</c> of a 429: how long until a try would be accepted.</summary>
        public TimeSpan? RetryAfter { get; init; }

        public override Task WriteAsync(HttpContext context)
        {
            context.Response.StatusCode = Error.Status;
            if (Challenge is not null)
            {
                context.Response.Headers.WWWAuthenticate = Challenge;
            }

            if (RetryAfter is { } wait)
            {
                context.Response.Headers[RetryAfterHeader.Name] = RetryAfterHeader.Value(wait);
            }

            var message = ErrorBodyLimits.Clamp(Message);
            var details = (JsonObject)ErrorBodyLimits.Clamp(Details)!;
            var body = new PulpError(Error.Status, context.Request.Method, context.Request.Path, message, new PulpErrorDetail(Error.Code, message, details));
            return context.Response.WriteAsJsonAsync(body, ContentApiJsonContext.Api.PulpError, cancellationToken: context.RequestAborted);
        }
    }
}
