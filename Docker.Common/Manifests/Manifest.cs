using System.Text.Json.Serialization;

namespace Docker.Common.Manifests;

/// <summary>
/// What image manifests and indexes have in common: the schema version, media type and the OCI 1.1 fields.
/// Parse one with <see cref="ManifestParser"/>; the bytes it came from are what is stored and served.
/// </summary>
public abstract record Manifest
{
    /// <summary>REQUIRED: always 2.</summary>
    [JsonPropertyName("schemaVersion")]
    [JsonPropertyOrder(-10)]
    public int SchemaVersion { get; init; } = 2;

    /// <summary>The media type as the document declares it (REQUIRED for Docker, SHOULD for OCI).</summary>
    [JsonPropertyName("mediaType")]
    [JsonPropertyOrder(-9)]
    public string? MediaType { get; init; }

    /// <summary>OPTIONAL (OCI 1.1): the type of the artifact this manifest describes.</summary>
    [JsonPropertyName("artifactType")]
    [JsonPropertyOrder(-8)]
    public string? ArtifactType { get; init; }

    /// <summary>OPTIONAL (OCI 1.1): the manifest this one refers to, such as the image a signature signs.</summary>
    [JsonPropertyName("subject")]
    [JsonPropertyOrder(10)]
    public Descriptor? Subject { get; init; }

    /// <summary>OPTIONAL: arbitrary metadata.</summary>
    [JsonPropertyName("annotations")]
    [JsonPropertyOrder(11)]
    public IReadOnlyDictionary<string, string>? Annotations { get; init; }

    /// <summary>The media type the document is, declared or, for OCI documents without one, inferred from its shape.</summary>
    [JsonIgnore]
    public abstract string EffectiveMediaType { get; }

    /// <summary>
    /// The content this document needs to be complete: config and layers for a manifest, the manifests of a
    /// list or index. The subject is not among them: it may be pushed later, or never.
    /// </summary>
    [JsonIgnore]
    public abstract IReadOnlyList<Descriptor> References { get; }
}
