using System.Globalization;

namespace Docker.Common.Distribution;

/// <summary>
/// The <c>Content-Range</c> of a chunk PATCH in the distribution spec: <c>start-end</c>, the inclusive byte
/// positions of the chunk (a leading <c>bytes </c> or <c>bytes=</c>, which some clients send, is tolerated).
/// </summary>
public readonly record struct ContentRange
{
    private ContentRange(long start, long end)
    {
        Start = start;
        End = end;
    }

    /// <summary>The position of the chunk's first byte.</summary>
    public long Start { get; }

    /// <summary>The position of the chunk's last byte.</summary>
    public long End { get; }

    /// <summary>How many bytes the chunk holds: at least one, and never more than a long can count.</summary>
    public long Length => End - Start + 1;

    /// <summary>Parses a Content-Range header value; false for anything but a well-formed, non-empty range.</summary>
    public static bool TryParse(string? text, out ContentRange range)
    {
        range = default;
        if (text is null)
        {
            return false;
        }

        var value = text.AsSpan().Trim();
        if (value.StartsWith("bytes", StringComparison.OrdinalIgnoreCase))
        {
            value = value[5..].TrimStart(" =");
        }

        var dash = value.IndexOf('-');
        if (dash <= 0 ||
            !long.TryParse(value[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out var start) ||
            !long.TryParse(value[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var end) ||
            end < start ||
            end - start == long.MaxValue)
        {
            return false;
        }

        range = new ContentRange(start, end);
        return true;
    }
}
