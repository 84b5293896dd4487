namespace Berth.Server.Uploads;

/// <summary>An upload request: a place to send bits to, in segments, before importing them.</summary>
public sealed record UploadRequest(UploadId Id, DateTimeOffset Created);
