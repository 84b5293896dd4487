using System.Text.Json.Nodes;
using Berth.Plugins;

namespace Docker.ManifestImporter;

/// <summary>
/// How refusals name what they are about without growing with the document: the message names the first few items,
/// the details list the first <see cref="ImportLimits.MaxListedInErrors"/> with the total beside them. A manifest
/// naming 25,000 missing layers gets an answer of a few KiB, not megabytes.
/// </summary>
internal static class Refusal
{
    /// <summary>How many items a message names before it says how many more there are.</summary>
    public const int NamedInMessage = 3;

    /// <summary><c>a, b, c</c>, or <c>a, b, c and 997 more</c>.</summary>
    public static string Name(IReadOnlyList<string> items, string separator = ", ")
    {
        ArgumentNullException.ThrowIfNull(items);
        var named = string.Join(separator, items.Take(NamedInMessage));
        return items.Count <= NamedInMessage ? named : $"{named} and {items.Count - NamedInMessage} more";
    }

    /// <summary><c>{"KEY": [the first items], "KEY_total": N}</c>.</summary>
    public static JsonObject Details(string key, IReadOnlyList<string> items, ImportLimits limits)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(limits);
        return new JsonObject
        {
            [key] = new JsonArray([.. items.Take(limits.MaxListedInErrors).Select(i => JsonValue.Create(i))]),
            [key + "_total"] = items.Count,
        };
    }

    /// <summary><c>a blob</c> or <c>3 blobs</c>.</summary>
    public static string Count(int count, string noun) => count == 1 ? $"a {noun}" : $"{count} {noun}s";
}
