using System.Text.Json.Nodes;

namespace Berth.Server.Registry;

/// <summary>A registry request refused, in the spec's terms; mapped to its envelope by <see cref="RegistryErrors"/>.</summary>
public sealed class RegistryException : Exception
{
    public RegistryException(RegistryError error, string message, JsonNode? detail = null)
        : base(message)
    {
        Error = error;
        Detail = detail;
    }

    public RegistryException()
        : this(RegistryError.Unknown, "the request failed")
    {
    }

    public RegistryException(string message)
        : this(RegistryError.Unknown, message)
    {
    }

    public RegistryException(string message, Exception innerException)
        : base(message, innerException)
    {
        Error = RegistryError.Unknown;
    }

    public RegistryError Error { get; }

    public JsonNode? Detail { get; }

    /// <summary>Headers the refusal carries (a 416's <c>Content-Range</c>, say).</summary>
    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);
}
