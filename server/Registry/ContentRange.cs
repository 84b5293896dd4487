using System.Globalization;

namespace Berth.Server.Registry;

/// <summary>
/// The <c>Content-Range</c> of a chunk PATCH: <c>start-end</c>, inclusive (the spec's form; a leading
/// <c>bytes </c> or <c>bytes=</c>, which some clients send, is tolerated).
/// </summary>
public readonly record struct ContentRange(long Start, long End)
{
    public long Length => End - Start + 1;

    public static ContentRange Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var range = text.Trim();
        if (range.StartsWith("bytes", StringComparison.OrdinalIgnoreCase))
        {
            range = range[5..].TrimStart(' ', '=');
        }

        var dash = range.IndexOf('-', StringComparison.Ordinal);
        if (dash <= 0 ||
            !long.TryParse(range.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var start) ||
            !long.TryParse(range.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var end) ||
            end < start)
        {
            throw new RegistryException(
                RegistryError.BlobUploadOutOfOrder,
                $"Content-Range '{text}' is not a range: send start-end, the inclusive byte positions of the chunk");
        }

        return new ContentRange(start, end);
    }
}
