using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Berth.Cli.Connection;

namespace Berth.Cli.Repositories;

/// <summary>A repository's units through the content API's search, a page at a time, in the order they joined it.</summary>
public static class UnitSearch
{
    public const int PageSize = 1000;

    /// <summary>The units, fetched a page at a time as they are enumerated.</summary>
    /// <param name="client">The signed-in client.</param>
    /// <param name="repository">The repository searched.</param>
    /// <param name="typeIds">Only units of these types; every type when empty.</param>
    /// <param name="limit">At most this many units; all of them when null.</param>
    /// <param name="cancellationToken">Stops the search.</param>
    public static async IAsyncEnumerable<JsonObject> UnitsAsync(
        BerthClient client, KnownRepository repository, IReadOnlyCollection<string> typeIds, int? limit, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(typeIds);
        var left = limit ?? int.MaxValue;
        for (var skip = 0; left > 0;)
        {
            var size = Math.Min(PageSize, left);
            var criteria = new JsonObject { ["skip"] = skip, ["limit"] = size };
            if (typeIds.Count > 0)
            {
                criteria["type_ids"] = new JsonArray([.. typeIds.Select(t => JsonValue.Create(t))]);
            }

            var page = (await client.PostAsync($"{repository.Path}search/units/", new JsonObject { ["criteria"] = criteria }, cancellationToken)).AsArray();
            foreach (var unit in page.OfType<JsonObject>())
            {
                yield return unit;
            }

            if (page.Count < size)
            {
                yield break;
            }

            skip += page.Count;
            left -= page.Count;
        }
    }
}
