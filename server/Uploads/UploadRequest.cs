using Berth.Server.Repositories;

namespace Berth.Server.Uploads;

/// <summary>
/// An upload request: a place to send bits to, in segments, before importing them. A registry upload session
/// is one too, bound to the repository it was opened on. Only its owner (or an administrator) sees it.
/// </summary>
public sealed record UploadRequest(UploadId Id, DateTimeOffset Created, RepositoryId? Repository = null, string? Owner = null);
