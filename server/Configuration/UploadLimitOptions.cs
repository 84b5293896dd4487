namespace Berth.Server.Configuration;

/// <summary>
/// What each user may have in uploads at once (section <c>Berth:Uploads</c>): upload requests of the content API
/// and blob upload sessions of the registry alike, from their creation until they are imported, completed,
/// deleted or purged. Zero or unset turns a limit off.
/// </summary>
public sealed class UploadLimitOptions
{
    /// <summary>How many uploads a user may have open at once.</summary>
    public int? MaxOpenPerUser { get; set; } = 100;

    /// <summary>How many bytes a user's open uploads may hold together.</summary>
    public long? MaxBytesPerUser { get; set; } = 64L * 1024 * 1024 * 1024;
}
