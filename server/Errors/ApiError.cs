using Berth.Plugins;

namespace Berth.Server.Errors;

/// <summary>
/// Every error the content API reports, registered once with its code and HTTP status. Generic errors keep
/// Pulp 2's codes, so that Pulp clients recognise them; Berth's own use the <c>BRT</c> prefix.
/// </summary>
public sealed record ApiError(string Code, int Status)
{
    public static readonly ApiError Internal = new("PLP0000", StatusCodes.Status500InternalServerError);
    public static readonly ApiError MissingResource = new("PLP0009", StatusCodes.Status404NotFound);
    public static readonly ApiError InvalidRequest = new("PLP0015", StatusCodes.Status400BadRequest);
    public static readonly ApiError DuplicateResource = new("PLP0018", StatusCodes.Status409Conflict);
    public static readonly ApiError MethodNotAllowed = new("BRT0405", StatusCodes.Status405MethodNotAllowed);
    public static readonly ApiError RequestTimeout = new("BRT0408", StatusCodes.Status408RequestTimeout);
    public static readonly ApiError RequestTooLarge = new("BRT0413", StatusCodes.Status413PayloadTooLarge);
    public static readonly ApiError UnknownUnitType = new("BRT0201", StatusCodes.Status400BadRequest);
    public static readonly ApiError NoImporterForType = new("BRT0202", StatusCodes.Status400BadRequest);
    public static readonly ApiError UnknownImporterType = new("BRT0203", StatusCodes.Status400BadRequest);
    public static readonly ApiError ImporterTypesConflict = new("BRT0204", StatusCodes.Status409Conflict);
    public static readonly ApiError UploadOffsetInvalid = new("BRT0205", StatusCodes.Status400BadRequest);
    public static readonly ApiError UploadsOpenLimit = new("BRT0206", StatusCodes.Status429TooManyRequests);
    public static readonly ApiError UploadBytesLimit = new("BRT0207", StatusCodes.Status403Forbidden);
    public static readonly ApiError Unauthenticated = new("BRT0401", StatusCodes.Status401Unauthorized);
    public static readonly ApiError Forbidden = new("BRT0403", StatusCodes.Status403Forbidden);
    public static readonly ApiError LastAdministrator = new("BRT0409", StatusCodes.Status409Conflict);
    public static readonly ApiError ContentInUse = new("BRT0410", StatusCodes.Status409Conflict);
    public static readonly ApiError TooManyAttempts = new("BRT0429", StatusCodes.Status429TooManyRequests);
    public static readonly ApiError Unavailable = new("BRT0503", StatusCodes.Status503ServiceUnavailable);

    /// <summary>The error for an importer's refusal.</summary>
    public static ApiError For(ContentError error) => error switch
    {
        ContentError.InvalidRequest => InvalidRequest,
        ContentError.InvalidConfiguration => new("BRT0101", StatusCodes.Status400BadRequest),
        ContentError.InvalidUnitKey => new("BRT0102", StatusCodes.Status400BadRequest),
        ContentError.InvalidUnitMetadata => new("BRT0103", StatusCodes.Status400BadRequest),
        ContentError.UploadRequired => new("BRT0104", StatusCodes.Status400BadRequest),
        ContentError.DigestInvalid => new("BRT0105", StatusCodes.Status400BadRequest),
        ContentError.DigestMismatch => new("BRT0106", StatusCodes.Status400BadRequest),
        ContentError.TooLarge => new("BRT0107", StatusCodes.Status413PayloadTooLarge),
        ContentError.ManifestInvalid => new("BRT0108", StatusCodes.Status400BadRequest),
        ContentError.ManifestBlobUnknown => new("BRT0109", StatusCodes.Status400BadRequest),
        ContentError.ManifestUnknown => new("BRT0110", StatusCodes.Status400BadRequest),
        ContentError.TagInvalid => new("BRT0111", StatusCodes.Status400BadRequest),
        ContentError.FeedFailed => new("BRT0112", StatusCodes.Status502BadGateway),
        _ => InvalidRequest,
    };
}
