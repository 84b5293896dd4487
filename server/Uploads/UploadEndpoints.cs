using System.Globalization;
using System.Text.Json.Nodes;
using Berth.Server.Access;
using Berth.Server.Errors;
using Berth.Server.Imports;
using Berth.Server.Json;
using Berth.Server.OpenApi;
using Microsoft.AspNetCore.Http.Features;

namespace Berth.Server.Uploads;

/// <summary>
/// Upload requests: create one, send its bytes in segments at any offset up to its end, look, delete. Any
/// signed-in user who may push somewhere may upload, within their limits (<see cref="Configuration.UploadLimitOptions"/>);
/// each sees only their own uploads (administrators see all).
/// </summary>
public static class UploadEndpoints
{
    public static void MapUploadEndpoints(this IEndpointRouteBuilder routes)
    {
        var uploads = routes.MapGroup($"{ContentApi.Root}/content/uploads").WithTags("Uploads").ProducesCallerErrors();

        uploads.MapPost("/", async (HttpContext context, UploadService service, AccessControl access) =>
        {
            var caller = await access.RequireSignedInAsync(context);
            if (!caller.MayPushSomewhere)
            {
                // Uploads exist to be imported, which takes push: without it, one would only hold the disk.
                throw new AccessDeniedException(
                    AccessFailure.Forbidden,
                    $"{caller.Login} may push to no repository, and uploads are only for importing into one: ask an administrator for a push grant");
            }

            var upload = await service.CreateAsync(caller.Login!, context.RequestAborted);
            return TypedResults.Json(
                new UploadCreatedResponse(upload.Id.Value, ContentApi.UploadHref(upload.Id.Value)),
                ContentApiJsonContext.Api.UploadCreatedResponse,
                statusCode: StatusCodes.Status201Created);
        })
            .WithName("createUpload").WithSummary("Starts an upload, to be imported into a repository.")
            .Produces<UploadCreatedResponse>(StatusCodes.Status201Created);

        uploads.MapGet("/", async (HttpContext context, UploadService service, AccessControl access) =>
        {
            var caller = await access.RequireSignedInAsync(context);
            return TypedResults.Json(
                new UploadListResponse([.. (await service.ListAsync(caller.UploadOwner, context.RequestAborted)).Select(u => u.Id.Value)]),
                ContentApiJsonContext.Api.UploadListResponse);
        })
            .WithName("listUploads").WithSummary("The caller's uploads (an administrator's: all).")
            .Produces<UploadListResponse>();

        uploads.MapGet("/{id}/", async (string id, HttpContext context, UploadService service, AccessControl access) =>
        {
            var caller = await access.RequireSignedInAsync(context);
            var status = await service.GetAsync(UploadId.Parse(id), caller.UploadOwner, null, context.RequestAborted);
            return TypedResults.Json(Describe(status), ContentApiJsonContext.Api.UploadStatusResponse);
        })
            .WithName("getUpload").WithSummary("An upload's size so far.")
            .Produces<UploadStatusResponse>()
            .ProducesContentApiErrors(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound);

        uploads.MapPut("/{id}/{offset}/", async (string id, string offset, HttpContext context, UploadService service, AccessControl access) =>
        {
            var caller = await access.RequireSignedInAsync(context);
            if (!long.TryParse(offset, NumberStyles.None, CultureInfo.InvariantCulture, out var start))
            {
                throw new ApiException(
                    ApiError.UploadOffsetInvalid,
                    $"'{offset}' is not an offset: use the non-negative byte position where this segment starts",
                    new JsonObject { ["offset"] = offset });
            }

            // The upload's own limit (if configured) is enforced while streaming; Kestrel's default would cut at 30 MB.
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodyLimit)
            {
                bodyLimit.MaxRequestBodySize = null;
            }

            var status = await service.WriteSegmentAsync(UploadId.Parse(id), start, context.Request.BodyReader, context.Request.ContentLength, strict: false, caller.UploadOwner, null, durable: true, context.RequestAborted);
            return TypedResults.Json(Describe(status), ContentApiJsonContext.Api.UploadStatusResponse);
        })
            .WithName("writeUploadSegment").WithSummary("Writes a segment of the upload's bytes at an offset.")
            .Produces<UploadStatusResponse>()
            .ProducesNotFound()
            .ProducesContentApiErrors(StatusCodes.Status400BadRequest, StatusCodes.Status408RequestTimeout, StatusCodes.Status413PayloadTooLarge);

        uploads.MapDelete("/{id}/", async (string id, HttpContext context, UploadService service, AccessControl access) =>
        {
            var caller = await access.RequireSignedInAsync(context);
            await service.DeleteAsync(UploadId.Parse(id), caller.UploadOwner, context.RequestAborted);
            return TypedResults.Json(CallReport.Done, ContentApiJsonContext.Api.CallReportObject);
        })
            .WithName("deleteUpload").WithSummary("Deletes an upload and its bytes.")
            .Produces<CallReport<object?>>()
            .ProducesContentApiErrors(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound);
    }

    private static UploadStatusResponse Describe(UploadStatus status) =>
        new(status.Upload.Id.Value, status.Size, status.Upload.Created, ContentApi.UploadHref(status.Upload.Id.Value));
}
