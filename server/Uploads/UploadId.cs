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

    public override string ToString() => Value ?? string.Empty;
}
