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

    /// <summary>The refusal of an upload to an owner who has <paramref name="open"/> open, as many as allowed.</summary>
    internal static UploadLimitException TooManyOpen(string owner, int open, int max, TimeSpan expiry) => new(
        UploadLimit.OpenUploads,
        $"{owner} has {open} uploads open, as many as allowed: finish (import or complete) or delete some before starting another " +
        $"(abandoned ones are purged once untouched for {expiry}), or ask the administrator to raise Berth:Uploads:MaxOpenPerUser ({max})");

    /// <summary>The refusal of bytes that would take what an owner's uploads hold, <paramref name="held"/> now, past the limit.</summary>
    internal static UploadLimitException TooManyBytes(string owner, long held, long max) => new(
        UploadLimit.BytesHeld,
        $"the open uploads of {owner} would hold more than {max} bytes together (they hold {held}): finish (import or complete) " +
        "or delete some uploads first, or ask the administrator to raise Berth:Uploads:MaxBytesPerUser");
}
