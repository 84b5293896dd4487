using System.Text.Json.Nodes;
using Berth.Plugins;
using Berth.Server.Uploads;

namespace Berth.Server.Imports;

/// <summary>The body of <c>import_upload</c>: which upload to import as which unit.</summary>
public sealed record ImportUploadCommand(
    UploadId? UploadId,
    string UnitTypeId,
    JsonObject UnitKey,
    JsonObject UnitMetadata,
    JsonObject? OverrideConfig)
{
    private const string Body = "request";

    public static ImportUploadCommand Read(JsonObject body)
    {
        RequestFields.RejectUnknown(body, Body, ContentError.InvalidRequest, "upload_id", "unit_type_id", "unit_key", "unit_metadata", "override_config");
        return new ImportUploadCommand(
            RequestFields.OptionalString(body, "upload_id", Body, ContentError.InvalidRequest) is { } uploadId ? Uploads.UploadId.Parse(uploadId) : null,
            RequestFields.RequireString(body, "unit_type_id", Body, ContentError.InvalidRequest),
            (JsonObject?)RequestFields.OptionalObject(body, "unit_key", Body, ContentError.InvalidRequest)?.DeepClone() ?? [],
            (JsonObject?)RequestFields.OptionalObject(body, "unit_metadata", Body, ContentError.InvalidRequest)?.DeepClone() ?? [],
            (JsonObject?)RequestFields.OptionalObject(body, "override_config", Body, ContentError.InvalidRequest)?.DeepClone());
    }
}
