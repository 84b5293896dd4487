using System.Diagnostics.CodeAnalysis;

namespace Berth.Server.Uploads;

/// <summary>An upload request id: 32 lowercase hex digits, safe to use as a file name.</summary>
public readonly record struct UploadId
{
    private UploadId(string value) => Value = value;

    public string Value { get; }

    public static UploadId New() => new(Guid.NewGuid().ToString("N"));

    public static bool TryParse([NotNullWhen(true)] string? text, out UploadId id)
    {
        id = default;
        if (text is not { Length: 32 } || !text.All(char.IsAsciiHexDigitLower))
        {
            return false;
        }

        id = new UploadId(text);
        return true;
    }

    /// <summary>
    /// The id in a URL or a request body; text that cannot be an id names no upload, so it is refused as a missing
    /// one (404), as the upload would be.
    /// </summary>
    /// <exception cref="Errors.NotFoundException">When the text is not an upload id.</exception>
    public static UploadId Parse(string? text) => TryParse(text, out var id) ? id : throw new Errors.NotFoundException("upload", text ?? string.Empty);

    public override string ToString() => Value ?? string.Empty;
}
