using System.Globalization;
using System.Text.Json.Nodes;

namespace Berth.Server.Registry;

/// <summary>
/// The spec's paging of sorted lists (tags, end-8b; the catalog): <c>n</c> items at most, after <c>last</c>; a
/// <c>Link: &lt;...&gt;; rel="next"</c> header when more follow. Without <c>n</c>, the whole list.
/// </summary>
/// <remarks>
/// Any non-negative whole number is a valid <c>n</c>, however many digits it has; past the server's largest page
/// (<see cref="Configuration.BerthOptions.MaxPageSize"/>) it asks for that many. The spec lets a registry return
/// fewer than <c>n</c> when a <c>Link</c> header is provided, and the header carries the page size actually served,
/// so that a client that follows it goes on page by page. Anything else (a sign, a space, a fraction, two values)
/// is refused with <c>PAGINATION_NUMBER_INVALID</c>.
/// </remarks>
public static class Paging
{
    /// <param name="Items">The items of this page.</param>
    /// <param name="Size">The page size served: the <c>n</c> asked for, capped; null when none was asked for.</param>
    /// <param name="More">Whether items follow this page.</param>
    public sealed record Page(IReadOnlyList<string> Items, int? Size, bool More);

    public static Page Read(HttpRequest request, IEnumerable<string> sorted, int maxPageSize)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPageSize, 1);
        var size = RequestedSize(request, maxPageSize);
        var last = request.Query.TryGetValue("last", out var lastValue) ? lastValue.ToString() : null;
        var after = last is null ? sorted : sorted.Where(item => string.CompareOrdinal(item, last) > 0);
        if (size is not { } count)
        {
            return new Page([.. after], null, false);
        }

        // Up to count items, then one look further to know whether more follow; no arithmetic on count.
        var items = new List<string>(Math.Min(count, 64));
        using var rest = after.GetEnumerator();
        while (items.Count < count && rest.MoveNext())
        {
            items.Add(rest.Current);
        }

        return new Page(items, count, items.Count == count && rest.MoveNext());
    }

    public static void LinkNext(HttpContext context, string path, Page page)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(page);
        if (page.More && page.Items.Count > 0)
        {
            context.Response.Headers.Link = $"<{path}?n={page.Size}&last={Uri.EscapeDataString(page.Items[^1])}>; rel=\"next\"";
        }
    }

    private static int? RequestedSize(HttpRequest request, int maxPageSize)
    {
        if (!request.Query.TryGetValue("n", out var values))
        {
            return null;
        }

        var text = values.Count == 1 ? values[0] : null;
        if (string.IsNullOrEmpty(text) || !text.All(char.IsAsciiDigit))
        {
            throw new RegistryException(
                RegistryError.PaginationNumberInvalid,
                $"n must be a non-negative whole number, not '{values}'",
                JsonValue.Create(values.ToString()));
        }

        // Only digits, so a number that does not parse is one too large for an int: more than any page holds.
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? Math.Min(parsed, maxPageSize) : maxPageSize;
    }
}
