namespace Berth.Server.Errors;

/// <summary>A failed request as one API reports it: its status, its message, and how to write it.</summary>
public abstract record ApiFailure(int Status, string Message)
{
    /// <summary>The message, within <see cref="ErrorBodyLimits.MaxMessageChars"/>: it is both written and logged.</summary>
    public string Message { get; init; } = ErrorBodyLimits.Clamp(Message);

    public bool IsServerFault => Status >= StatusCodes.Status500InternalServerError;

    public abstract Task WriteAsync(HttpContext context);
}
