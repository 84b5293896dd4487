using System.Text.Json.Serialization;

namespace Berth.Server.Health;

/// <summary>The body of <c>/healthz</c> and <c>/readyz</c>.</summary>
public sealed record HealthResponse(string Status, IReadOnlyDictionary<string, HealthCheckState> Checks);

public sealed record HealthCheckState(string Status, string Description);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(HealthResponse))]
internal sealed partial class HealthJsonContext : JsonSerializerContext;
