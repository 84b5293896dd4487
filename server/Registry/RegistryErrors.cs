using System.Text.Json.Nodes;
using Berth.Plugins;
using Berth.Server.Access;
using Berth.Server.Errors;
using Berth.Server.Imports;
using Berth.Server.Membership;
using Berth.Server.Orphans;
using Berth.Server.Uploads;

namespace Berth.Server.Registry;

/// <summary>
/// How the registry API reports failures: the spec's envelope and codes. Refusals from importers and errors of
/// the shared services are translated here, so that one import path can serve both APIs.
/// </summary>
public static class RegistryErrors
{
    public static ApiFailure Describe(Exception exception, HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return exception switch
        {
            RegistryException e => WithHeaders(new OciFailure(e.Error, e.Message, e.Detail), e.Headers),
            AccessDeniedException { Failure: AccessFailure.Unauthenticated } e => new OciFailure(RegistryError.Unauthorized, e.Message, null)
            {
                Headers = { ["WWW-Authenticate"] = TokenChallenge.For(context, e.Scopes) },
            },
            AccessDeniedException { Failure: AccessFailure.Forbidden } e => new OciFailure(RegistryError.Denied, e.Message, null),
            AccessDeniedException { RetryAfter: { } wait } e => new OciFailure(RegistryError.TooManyRequests, e.Message, null)
            {
                Headers = { [RetryAfterHeader.Name] = RetryAfterHeader.Value(wait) },
            },
            AccessDeniedException e => new OciFailure(RegistryError.TooManyRequests, e.Message, null),
            ReferenceGuardLostException e => new OciFailure(RegistryError.Unavailable, e.Message, null)
            {
                Headers = { [RetryAfterHeader.Name] = RetryAfterHeader.Value(TimeSpan.FromSeconds(1)) },
            },
            ContentException e => new OciFailure(For(e.Error), e.Message, e.Details.Count > 0 ? e.Details.DeepClone() : null),
            StillNeededException e => new OciFailure(
                RegistryError.StillNeeded,
                e.Message,
                new JsonObject { ["needed_by"] = new JsonArray([.. e.Needed.SelectMany(n => n.NeededBy).Select(u => JsonValue.Create(Membership.UnitIdentity.Of(u).ToString())).Distinct()]) }),
            UnitsIncompleteException e => new OciFailure(RegistryError.ManifestBlobUnknown, e.Message, null),
            ContentInUseException e => new OciFailure(RegistryError.InUse, e.Message, null),
            NotFoundException { ResourceType: "upload" } =>
                new OciFailure(RegistryError.BlobUploadUnknown, "the upload session does not exist: it was completed, cancelled or purged", null),
            NotFoundException e => new OciFailure(RegistryError.NameUnknown, e.Message, null),
            NoImporterException e => new OciFailure(
                RegistryError.Denied, e.Message, new JsonObject { ["unit_type_id"] = e.UnitTypeId, ["importers"] = new JsonArray([.. e.Registered.Select(r => JsonValue.Create(r))]) }),
            TooLargeException e => new OciFailure(RegistryError.TooLarge, e.Message, null),
            UploadLimitException { Limit: UploadLimit.OpenUploads } e => new OciFailure(RegistryError.TooManyRequests, e.Message, null),
            UploadLimitException e => new OciFailure(RegistryError.Denied, e.Message, null),
            UploadOffsetException e => new OciFailure(RegistryError.BlobUploadOutOfOrder, e.Message, new JsonObject { ["size"] = e.Size, ["offset"] = e.Offset })
            {
                // Where to resume: what the upload holds, at the upload's own address.
                Headers = { ["Range"] = RegistryApi.UploadRange(e.Size), ["Location"] = context.Request.Path.Value! },
            },
            ApiException e when e.Error.Status < StatusCodes.Status500InternalServerError => new OciFailure(RegistryError.RequestInvalid, e.Message, null),
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => new OciFailure(RegistryError.TooLarge, "the request body is too large", null),
            BadHttpRequestException { StatusCode: StatusCodes.Status408RequestTimeout } => new OciFailure(
                RegistryError.TooSlow,
                "the request body arrived too slowly: the server cuts off clients below its minimum data rate",
                null),
            IOException e when RequestBodyFaults.IsMalformedBody(e) => new OciFailure(RegistryError.RequestInvalid, $"the request could not be read: {e.Message}", null),
            BadHttpRequestException e => new OciFailure(RegistryError.RequestInvalid, $"the request could not be read: {e.Message}", null),
            _ => new OciFailure(RegistryError.Unknown, $"the server failed to handle the request; its log has the details (trace id {context.TraceIdentifier})", null),
        };
    }

    /// <summary>The failure for a request no endpoint answered.</summary>
    public static ApiFailure NoEndpoint(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Response.StatusCode == StatusCodes.Status405MethodNotAllowed
            ? new OciFailure(RegistryError.Unsupported, $"{context.Request.Method} is not supported on {context.Request.Path}", null)
            : new OciFailure(RegistryError.NotFound, $"there is no endpoint {context.Request.Method} {context.Request.Path}", null);
    }

    private static OciFailure WithHeaders(OciFailure failure, Dictionary<string, string> headers)
    {
        foreach (var (name, value) in headers)
        {
            failure.Headers[name] = value;
        }

        return failure;
    }

    private static RegistryError For(ContentError error) => error switch
    {
        ContentError.DigestInvalid or ContentError.DigestMismatch => RegistryError.DigestInvalid,
        ContentError.ManifestInvalid => RegistryError.ManifestInvalid,
        ContentError.ManifestBlobUnknown or ContentError.ManifestUnknown => RegistryError.ManifestBlobUnknown,
        ContentError.TooLarge => RegistryError.TooLarge,
        ContentError.TagInvalid => RegistryError.TagInvalid,
        ContentError.FeedFailed => RegistryError.FeedFailed,
        _ => RegistryError.RequestInvalid,
    };

    private sealed record OciFailure(RegistryError Error, string Message, JsonNode? Detail) : ApiFailure(Error.Status, Message)
    {
        public Dictionary<string, string> Headers { get; } = [];

        public override Task WriteAsync(HttpContext context)
        {
            context.Response.StatusCode = Error.Status;
            context.Response.Headers[RegistryApi.ApiVersionHeader] = RegistryApi.ApiVersion;
            foreach (var (name, value) in Headers)
            {
                context.Response.Headers[name] = value;
            }

            if (HttpMethods.IsHead(context.Request.Method))
            {
                return Task.CompletedTask;
            }

            var body = new RegistryErrorBody([new RegistryErrorEntry(Error.Code, ErrorBodyLimits.Clamp(Message), ErrorBodyLimits.Clamp(Detail))]);
            return context.Response.WriteAsJsonAsync(body, RegistryJsonContext.Api.RegistryErrorBody, cancellationToken: context.RequestAborted);
        }
    }
}
