namespace Berth.Server.Uploads;

/// <summary>
/// A segment that does not start where the upload can take it: past the bytes held (a gap), or, for uploads
/// that take segments strictly in order, anywhere but at their end. Each API reports it its own way, with the
/// size held so that the client can resume.
/// </summary>
public sealed class UploadOffsetException : Exception
{
    public UploadOffsetException(long size, long offset, bool strict)
        : base(strict
            ? $"this upload takes its bytes in order: the next segment must start at offset {size}, not {offset}"
            : $"offset {offset} is past the end of the upload, which holds {size} bytes; send the segment that starts at offset {size} first")
    {
        Size = size;
        Offset = offset;
    }

    private UploadOffsetException(string message, long size, long offset)
        : base(message)
    {
        Size = size;
        Offset = offset;
    }

    public UploadOffsetException()
        : this(0, 0, strict: false)
    {
    }

    public UploadOffsetException(string message)
        : base(message)
    {
    }

    public UploadOffsetException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>
    /// The refusal of a segment that another request added to at the same time, on another server: the other came first.
    /// </summary>
    public static UploadOffsetException Overtaken(long size, long offset) =>
        new($"another request added to this upload at the same time, and came first: it now holds {size} bytes; go on from offset {size}", size, offset);

    /// <summary>How many bytes the upload holds: where the next segment should start.</summary>
    public long Size { get; }

    public long Offset { get; }
}
