using System.Text.Json.Nodes;

namespace Berth.Plugins;

/// <summary>A request or import refused because of what the client sent; the server reports it as a client error.</summary>
public class ContentException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="error">Why the request was refused.</param>
    /// <param name="message">A sentence for the client that says what was wrong and, where it helps, what to do.</param>
    /// <param name="details">Machine-readable details, for example the digests that are missing.</param>
    public ContentException(ContentError error, string message, JsonObject? details = null)
        : base(message)
    {
        Error = error;
        Details = details ?? [];
    }

    /// <summary>Why the request was refused.</summary>
    public ContentError Error { get; }

    /// <summary>Machine-readable details of the refusal.</summary>
    public JsonObject Details { get; }
}
