namespace Berth.Server.Uploads;

/// <summary>An upload request and how many bytes it holds, which is where the next segment should start.</summary>
public sealed record UploadStatus(UploadRequest Upload, long Size);
