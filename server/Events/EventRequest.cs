using System.Text.Json.Serialization;

namespace Berth.Server.Events;

/// <summary>The request behind an event, as distribution records it.</summary>
public sealed record EventRequest
{
    public required string Id { get; init; }

    /// <summary>The client's address and port.</summary>
    public string? Addr { get; init; }

    /// <summary>The <c>Host</c> the client asked for.</summary>
    public string? Host { get; init; }

    public required string Method { get; init; }

    [JsonPropertyName("useragent")]
    public string? UserAgent { get; init; }
}
