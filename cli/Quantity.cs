using System.Globalization;

namespace Berth.Cli;

/// <summary>A count with its noun, in the number the count needs: <c>1 blob</c>, <c>0 blobs</c>, <c>2 blobs</c>.</summary>
public static class Quantity
{
    /// <summary>The noun's plural is its singular with <c>s</c>, unless <paramref name="plural"/> says otherwise.</summary>
    public static string Of(long count, string singular, string? plural = null) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {(count == 1 ? singular : plural ?? singular + "s")}");
}
