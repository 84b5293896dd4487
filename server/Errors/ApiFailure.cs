namespace Berth.Server.Errors;

/// <summary>A failed request as one API reports it: its status, its message, and how to write it.</summary>
public abstract record ApiFailure(int Status, string Message)
{
    /// <summary>The message, within <see cref="ErrorBodyLimits.MaxMessageChars"/>: it is both written and logged.</summary>
    public string Message { get; init; } = ErrorBodyLimits.Clamp(Message);

    /// <summary>
    /// Whether the server itself failed: a 5xx, but for a 502 (a feed this server asked failed) and a 503 (try again):
    /// those are the world's doing, logged as what they are rather than as this server's errors.
    /// </summary>
    public bool IsServerFault => Status >= StatusCodes.Status500InternalServerError && Status is not (StatusCodes.Status502BadGateway or StatusCodes.Status503ServiceUnavailable);

    public abstract Task WriteAsync(HttpContext context);
}
