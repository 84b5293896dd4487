using System.Text.Json;
using System.Text.Json.Nodes;

namespace Berth.Server.Criteria;

/// <summary>Reads Pulp 2's sort lists: <c>[[FIELD, "ascending" | "descending" | 1 | -1], ...]</c>.</summary>
public static class SortOrder
{
    public const int MaxKeys = 10;

    public static IReadOnlyList<SortKey> Read(JsonNode? sort, FieldCatalog catalog, string where)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        if (sort is null)
        {
            return [];
        }

        if (sort is not JsonArray keys || keys.Count > MaxKeys)
        {
            throw CriteriaErrors.Invalid(where, $"give at most {MaxKeys} [field, \"ascending\" or \"descending\"] pairs");
        }

        return [.. keys.Select((key, i) => Key(key, catalog, $"{where}[{i}]"))];
    }

    private static SortKey Key(JsonNode? key, FieldCatalog catalog, string where)
    {
        if (key is not JsonArray { Count: 2 } pair || pair[0]?.GetValueKind() != JsonValueKind.String)
        {
            throw CriteriaErrors.Invalid(where, "give a [field, \"ascending\" or \"descending\"] pair");
        }

        var direction = pair[1] switch
        {
            JsonValue text when text.GetValueKind() == JsonValueKind.String => text.GetValue<string>().ToLowerInvariant(),
            JsonValue number when number.GetValueKind() == JsonValueKind.Number => number.ToJsonString(),
            _ => null,
        };
        return direction switch
        {
            "ascending" or "1" => new SortKey(catalog.Field(pair[0]!.GetValue<string>(), where), false),
            "descending" or "-1" => new SortKey(catalog.Field(pair[0]!.GetValue<string>(), where), true),
            _ => throw CriteriaErrors.Invalid(where, "the direction is \"ascending\" or \"descending\" (or 1 and -1)"),
        };
    }
}
