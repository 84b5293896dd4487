using System.Text.Json.Serialization;
using Docker.Common.Digests;

namespace Docker.Common.Manifests;

/// <summary>A reference to content by media type, digest and size (OCI image spec, "Content Descriptors").</summary>
public sealed record Descriptor
{
    /// <summary>REQUIRED: the media type of the referenced content.</summary>
    [JsonPropertyName("mediaType")]
    [JsonPropertyOrder(-3)]
    public required string MediaType { get; init; }

    /// <summary>REQUIRED: the digest of the referenced content.</summary>
    [JsonPropertyName("digest")]
    [JsonPropertyOrder(-2)]
    public required Digest Digest { get; init; }

    /// <summary>REQUIRED: the size of the referenced content in bytes.</summary>
    [JsonPropertyName("size")]
    [JsonPropertyOrder(-1)]
    public required long Size { get; init; }

    /// <summary>OPTIONAL: where the content may also be downloaded from (foreign and non-distributable layers).</summary>
    [JsonPropertyName("urls")]
    public IReadOnlyList<string>? Urls { get; init; }

    /// <summary>OPTIONAL: arbitrary metadata.</summary>
    [JsonPropertyName("annotations")]
    public IReadOnlyDictionary<string, string>? Annotations { get; init; }

    /// <summary>OPTIONAL: the embedded content itself, base64-encoded.</summary>
    [JsonPropertyName("data")]
    public string? Data { get; init; }

    /// <summary>OPTIONAL: the artifact type of the referenced manifest.</summary>
    [JsonPropertyName("artifactType")]
    public string? ArtifactType { get; init; }

    /// <summary>OPTIONAL, index entries only: the platform the referenced manifest is for.</summary>
    [JsonPropertyName("platform")]
    public Platform? Platform { get; init; }
}
