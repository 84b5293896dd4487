using System.Text.Json.Serialization;

namespace Berth.Server.Uploads;

/// <summary>A new upload request: where to send its segments.</summary>
public sealed record UploadCreatedResponse(string UploadId, [property: JsonPropertyName("_href")] string Href);

/// <summary>The ids of every open upload request.</summary>
public sealed record UploadListResponse(IReadOnlyList<string> UploadIds);

/// <summary>An upload request and how many bytes it holds: the offset of the next segment.</summary>
public sealed record UploadStatusResponse(string UploadId, long Size, DateTimeOffset Created, [property: JsonPropertyName("_href")] string Href);
