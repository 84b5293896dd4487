using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Berth.Server.Registry;

/// <summary>The spec's error envelope: <c>{"errors": [{"code", "message", "detail"}]}</c>.</summary>
public sealed record RegistryErrorBody([property: JsonPropertyName("errors")] IReadOnlyList<RegistryErrorEntry> Errors);

public sealed record RegistryErrorEntry(
    [property: JsonPropertyName("code")] string Code,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("detail")] JsonNode? Detail);
