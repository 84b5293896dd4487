using System.Text.Json.Serialization;

namespace Docker.Common.Manifests;

/// <summary>A Docker schema2 image manifest or an OCI image manifest: one config and its layers.</summary>
public sealed record ImageManifest : Manifest
{
    /// <summary>REQUIRED: the image configuration (or, for an artifact, its config blob, possibly the empty descriptor).</summary>
    [JsonPropertyName("config")]
    public required Descriptor Config { get; init; }

    /// <summary>REQUIRED: the layers, base first.</summary>
    [JsonPropertyName("layers")]
    public required IReadOnlyList<Descriptor> Layers { get; init; }

    /// <inheritdoc />
    public override string EffectiveMediaType => MediaType ?? MediaTypes.OciManifest;

    /// <inheritdoc />
    public override IReadOnlyList<Descriptor> References => [Config, .. Layers];

    /// <summary>
    /// The blobs a registry must hold for the image: all it references but foreign and non-distributable layers that name
    /// the <c>urls</c> clients fetch them from instead.
    /// </summary>
    [JsonIgnore]
    public IEnumerable<Descriptor> RegistryBlobs => References.Where(d => !(MediaTypes.IsNonDistributable(d.MediaType) && d.Urls is { Count: > 0 }));
}
