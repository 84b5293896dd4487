using System.Text.Json.Serialization;

namespace Berth.Server.Events;

/// <summary>Events on the wire and in the outbox: camelCase, as distribution writes them, and nothing for what is unset.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(EventEnvelope))]
[JsonSerializable(typeof(NotificationEvent))]
public sealed partial class EventJsonContext : JsonSerializerContext;
