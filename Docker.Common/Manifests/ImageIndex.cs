using System.Text.Json.Serialization;

namespace Docker.Common.Manifests;

/// <summary>A Docker manifest list or an OCI image index: manifests for several platforms or purposes.</summary>
public sealed record ImageIndex : Manifest
{
    /// <summary>REQUIRED: the manifests the index holds.</summary>
    [JsonPropertyName("manifests")]
    public required IReadOnlyList<Descriptor> Manifests { get; init; }

    /// <inheritdoc />
    public override string EffectiveMediaType => MediaType ?? MediaTypes.OciIndex;

    /// <inheritdoc />
    public override IReadOnlyList<Descriptor> References => Manifests;
}
