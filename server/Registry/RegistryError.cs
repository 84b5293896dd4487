namespace Berth.Server.Registry;

/// <summary>Every error code the registry API reports (OCI distribution spec, "Error Codes"), with its HTTP status.</summary>
public sealed record RegistryError(string Code, int Status)
{
    public static readonly RegistryError BlobUnknown = new("BLOB_UNKNOWN", StatusCodes.Status404NotFound);
    public static readonly RegistryError BlobUploadInvalid = new("BLOB_UPLOAD_INVALID", StatusCodes.Status400BadRequest);
    public static readonly RegistryError BlobUploadOutOfOrder = new("BLOB_UPLOAD_INVALID", StatusCodes.Status416RangeNotSatisfiable);
    public static readonly RegistryError BlobUploadUnknown = new("BLOB_UPLOAD_UNKNOWN", StatusCodes.Status404NotFound);
    public static readonly RegistryError DigestInvalid = new("DIGEST_INVALID", StatusCodes.Status400BadRequest);
    public static readonly RegistryError ManifestBlobUnknown = new("MANIFEST_BLOB_UNKNOWN", StatusCodes.Status400BadRequest);
    public static readonly RegistryError ManifestInvalid = new("MANIFEST_INVALID", StatusCodes.Status400BadRequest);
    public static readonly RegistryError ManifestUnknown = new("MANIFEST_UNKNOWN", StatusCodes.Status404NotFound);
    public static readonly RegistryError PaginationNumberInvalid = new("PAGINATION_NUMBER_INVALID", StatusCodes.Status400BadRequest);
    public static readonly RegistryError NameInvalid = new("NAME_INVALID", StatusCodes.Status400BadRequest);
    public static readonly RegistryError NameUnknown = new("NAME_UNKNOWN", StatusCodes.Status404NotFound);
    public static readonly RegistryError SizeInvalid = new("SIZE_INVALID", StatusCodes.Status400BadRequest);
    public static readonly RegistryError TooLarge = new("SIZE_INVALID", StatusCodes.Status413PayloadTooLarge);
    public static readonly RegistryError TagInvalid = new("TAG_INVALID", StatusCodes.Status400BadRequest);
    public static readonly RegistryError Denied = new("DENIED", StatusCodes.Status403Forbidden);
    public static readonly RegistryError Unauthorized = new("UNAUTHORIZED", StatusCodes.Status401Unauthorized);
    public static readonly RegistryError TooManyRequests = new("TOOMANYREQUESTS", StatusCodes.Status429TooManyRequests);
    public static readonly RegistryError Unsupported = new("UNSUPPORTED", StatusCodes.Status405MethodNotAllowed);

    /// <summary>A request the spec has no code for (say, an unreadable body): UNSUPPORTED, as a 400.</summary>
    public static readonly RegistryError RequestInvalid = new("UNSUPPORTED", StatusCodes.Status400BadRequest);
    /// <summary>A Range outside the blob: no code in the spec fits, so UNSUPPORTED, as HTTP's 416.</summary>
    public static readonly RegistryError RangeNotSatisfiable = new("UNSUPPORTED", StatusCodes.Status416RangeNotSatisfiable);
    /// <summary>A body that arrived below the minimum data rate: no code in the spec fits, so UNSUPPORTED, as 408.</summary>
    public static readonly RegistryError TooSlow = new("UNSUPPORTED", StatusCodes.Status408RequestTimeout);
    public static readonly RegistryError NotFound = new("NOT_FOUND", StatusCodes.Status404NotFound);
    public static readonly RegistryError Unknown = new("UNKNOWN", StatusCodes.Status500InternalServerError);

    // The spec has no code for a server that cannot do the work just now; distribution answers UNAVAILABLE with 503,
    // which clients retry.
    public static readonly RegistryError Unavailable = new("UNAVAILABLE", StatusCodes.Status503ServiceUnavailable);

    // A pull-through cache whose upstream failed: distribution's proxy answers such pulls with a 5xx too.
    public static readonly RegistryError FeedFailed = new("UNAVAILABLE", StatusCodes.Status502BadGateway);

    // The spec has no code for a delete that meets a push under way; 409 says "try again" to any client.
    public static readonly RegistryError InUse = new("UNSUPPORTED", StatusCodes.Status409Conflict);

    // A delete that would leave a manifest without its blobs, or a list without its manifests: the spec has no code
    // for it, and DENIED is what clients show as a refusal of the operation rather than of the credentials.
    public static readonly RegistryError StillNeeded = new("DENIED", StatusCodes.Status409Conflict);
}
