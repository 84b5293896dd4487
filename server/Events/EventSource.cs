using System.Text.Json.Serialization;

namespace Berth.Server.Events;

/// <summary>The server that wrote the event: its host name and port, and an id new at every start.</summary>
public sealed record EventSource
{
    public string? Addr { get; init; }

    [JsonPropertyName("instanceID")]
    public required string InstanceId { get; init; }
}
