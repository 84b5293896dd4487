using System.Globalization;
using System.Text.Json.Nodes;

namespace Berth.Server.Registry;

/// <summary>
/// The spec's paging of sorted lists: <c>n</c> items at most, after <c>last</c>; a <c>Link: &lt;...&gt;; rel="next"</c>
/// header when more follow.
/// </summary>
public static class Paging
{
    public sealed record Page(IReadOnlyList<string> Items, int? Size, bool More);

    public static Page Read(HttpRequest request, IEnumerable<string> sorted)
    {
        ArgumentNullException.ThrowIfNull(request);
        int? size = null;
        if (request.Query.TryGetValue("n", out var n))
        {
            size = int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed)
                ? parsed
                : throw new RegistryException(RegistryError.PaginationNumberInvalid, $"n must be a non-negative number, not '{n}'", JsonValue.Create(n.ToString()));
        }

        var last = request.Query.TryGetValue("last", out var lastValue) ? lastValue.ToString() : null;
        var after = last is null ? sorted : sorted.Where(item => string.CompareOrdinal(item, last) > 0);
        if (size is not { } count)
        {
            return new Page([.. after], null, false);
        }

        var items = after.Take(count + 1).ToList();
        var more = items.Count > count;
        return new Page(more ? items[..count] : items, count, more);
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
}
