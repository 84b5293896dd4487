using System.Text.Json.Serialization;

namespace Docker.Common.Manifests;

/// <summary>The platform an index entry runs on (OCI image spec, image index, "platform").</summary>
public sealed record Platform
{
    /// <summary>REQUIRED: the CPU architecture, for example <c>amd64</c>.</summary>
    [JsonPropertyName("architecture")]
    public required string Architecture { get; init; }

    /// <summary>REQUIRED: the operating system, for example <c>linux</c>.</summary>
    [JsonPropertyName("os")]
    public required string Os { get; init; }

    /// <summary>OPTIONAL: the operating system version.</summary>
    [JsonPropertyName("os.version")]
    public string? OsVersion { get; init; }

    /// <summary>OPTIONAL: required operating system features.</summary>
    [JsonPropertyName("os.features")]
    public IReadOnlyList<string>? OsFeatures { get; init; }

    /// <summary>OPTIONAL: the CPU variant, for example <c>v8</c>.</summary>
    [JsonPropertyName("variant")]
    public string? Variant { get; init; }

    /// <summary>OPTIONAL (Docker manifest lists): required CPU features.</summary>
    [JsonPropertyName("features")]
    public IReadOnlyList<string>? Features { get; init; }
}
