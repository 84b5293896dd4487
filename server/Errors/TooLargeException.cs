namespace Berth.Server.Errors;

/// <summary>A request body or upload larger than the server accepts.</summary>
public sealed class TooLargeException(string message, long limit) : Exception(message)
{
    /// <summary>The most the server accepts, in bytes.</summary>
    public long Limit { get; } = limit;
}
