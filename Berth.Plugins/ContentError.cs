namespace Berth.Plugins;

/// <summary>
/// Why an importer refused an import. Each API maps these to its own error codes: the content API to its
/// Pulp-shaped errors, the registry API to the OCI error codes.
/// </summary>
public enum ContentError
{
    /// <summary>The request itself is malformed: a field is missing, unknown or of the wrong type.</summary>
    InvalidRequest,

    /// <summary>The importer configuration has an unknown key or a value of the wrong type.</summary>
    InvalidConfiguration,

    /// <summary>The unit key is missing a field, has an unknown one, or has a malformed value.</summary>
    InvalidUnitKey,

    /// <summary>The unit metadata has an unknown field or a malformed value.</summary>
    InvalidUnitMetadata,

    /// <summary>The unit type needs uploaded bits and the request named no upload.</summary>
    UploadRequired,

    /// <summary>A digest is malformed or uses an unsupported algorithm.</summary>
    DigestInvalid,

    /// <summary>The bits do not hash to the digest they were declared with.</summary>
    DigestMismatch,

    /// <summary>The bits are larger than the importer accepts.</summary>
    TooLarge,

    /// <summary>The document is not a valid manifest, manifest list or index.</summary>
    ManifestInvalid,

    /// <summary>The manifest references blobs that are not in the repository.</summary>
    ManifestBlobUnknown,

    /// <summary>A list, index or tag references manifests that are not in the repository.</summary>
    ManifestUnknown,

    /// <summary>A tag name does not follow the tag grammar.</summary>
    TagInvalid,

    /// <summary>
    /// The feed a sync reads from (another registry) could not be reached, refused a request, or answered something that
    /// is not what it was asked for.
    /// </summary>
    FeedFailed,
}
