using System.Text.RegularExpressions;

namespace Docker.Common;

/// <summary>The media types of Docker schema2 and the OCI image spec that Berth recognises.</summary>
public static partial class MediaTypes
{
    /// <summary>Docker image manifest, schema version 2.</summary>
    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";

    /// <summary>Docker manifest list (a multi-platform image).</summary>
    public const string DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";

    /// <summary>Docker image manifest, schema version 1, which Berth refuses.</summary>
    public const string DockerManifestSchema1 = "application/vnd.docker.distribution.manifest.v1+json";

    /// <summary>Signed Docker image manifest, schema version 1, which Berth refuses.</summary>
    public const string DockerManifestSchema1Signed = "application/vnd.docker.distribution.manifest.v1+prettyjws";

    /// <summary>Docker image configuration.</summary>
    public const string DockerImageConfig = "application/vnd.docker.container.image.v1+json";

    /// <summary>Docker gzip-compressed layer.</summary>
    public const string DockerLayer = "application/vnd.docker.image.rootfs.diff.tar.gzip";

    /// <summary>Docker uncompressed layer, as <c>docker save</c> keeps layers.</summary>
    public const string DockerLayerUncompressed = "application/vnd.docker.image.rootfs.diff.tar";

    /// <summary>Docker foreign layer, fetched from its <c>urls</c> rather than the registry.</summary>
    public const string DockerForeignLayer = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";

    /// <summary>OCI image manifest.</summary>
    public const string OciManifest = "application/vnd.oci.image.manifest.v1+json";

    /// <summary>OCI image index.</summary>
    public const string OciIndex = "application/vnd.oci.image.index.v1+json";

    /// <summary>OCI image configuration.</summary>
    public const string OciImageConfig = "application/vnd.oci.image.config.v1+json";

    /// <summary>OCI uncompressed layer.</summary>
    public const string OciLayer = "application/vnd.oci.image.layer.v1.tar";

    /// <summary>OCI gzip-compressed layer.</summary>
    public const string OciLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";

    /// <summary>OCI zstd-compressed layer.</summary>
    public const string OciLayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd";

    /// <summary>OCI 1.1 empty descriptor, the config of artifacts that have none (the two bytes <c>{}</c>).</summary>
    public const string OciEmpty = "application/vnd.oci.empty.v1+json";

    /// <summary>Whether a media type is an image manifest (Docker schema2 or OCI).</summary>
    public static bool IsImageManifest(string? mediaType) => mediaType is DockerManifest or OciManifest;

    /// <summary>Whether a media type is a manifest list or image index.</summary>
    public static bool IsIndex(string? mediaType) => mediaType is DockerManifestList or OciIndex;

    /// <summary>
    /// Whether a layer media type marks content that is not distributed by registries (Docker foreign layers,
    /// OCI non-distributable layers): such layers may be absent when they carry <c>urls</c>.
    /// </summary>
    public static bool IsNonDistributable(string? mediaType) =>
        mediaType is not null &&
        (mediaType == DockerForeignLayer ||
         mediaType.StartsWith("application/vnd.oci.image.layer.nondistributable.", StringComparison.Ordinal));

    /// <summary>Whether a string is a media type by RFC 6838's grammar (<c>type/subtype</c>, no parameters), as OCI descriptors require.</summary>
    public static bool IsWellFormed(string? mediaType) => mediaType is not null && MediaTypeGrammar().IsMatch(mediaType);

    [GeneratedRegex(@"\A[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\z", RegexOptions.CultureInvariant)]
    private static partial Regex MediaTypeGrammar();
}
