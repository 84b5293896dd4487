namespace Berth.Server.Uploads;

/// <summary>Which of a user's upload limits a request would pass.</summary>
public enum UploadLimit
{
    /// <summary>As many uploads open as <c>Berth:Uploads:MaxOpenPerUser</c> allows: another would wait until one ends.</summary>
    OpenUploads,

    /// <summary>The user's open uploads would hold more than <c>Berth:Uploads:MaxBytesPerUser</c> together.</summary>
    BytesHeld,
}

/// <summary>
/// An upload refused because its owner has as much in uploads as they may: each API reports it its own way, with
/// a message that says what to do (finish or delete uploads, or have the limit raised).
/// </summary>
public sealed class UploadLimitException : Exception
{
    public UploadLimitException(UploadLimit limit, string message)
        : base(message)
    {
        Limit = limit;
    }

    public UploadLimitException()
        : this(UploadLimit.OpenUploads, "too many uploads open")
    {
    }

    public UploadLimitException(string message)
        : this(UploadLimit.OpenUploads, message)
    {
    }

    public UploadLimitException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public UploadLimit Limit { get; }
}
