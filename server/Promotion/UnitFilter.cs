using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Plugins;
using Berth.Server.Errors;

namespace Berth.Server.Promotion;

/// <summary>
/// Which units a criteria's <c>filters.unit</c> picks: every named field (of the unit key or the metadata) equal to
/// the value given, or to one of the values of <c>{"$in": [...]}</c>. No fields: every unit.
/// </summary>
public sealed class UnitFilter
{
    private readonly Dictionary<string, HashSet<string>> _fields;

    private UnitFilter(Dictionary<string, HashSet<string>> fields) => _fields = fields;

    public static UnitFilter Read(JsonObject unit)
    {
        ArgumentNullException.ThrowIfNull(unit);
        var fields = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var (name, value) in unit)
        {
            fields[name] = value switch
            {
                JsonValue scalar when Text(scalar) is { } text => [text],
                JsonObject { Count: 1 } match when match["$in"] is JsonArray values && values.All(v => v is JsonValue) =>
                    [.. values.Select(v => Text((JsonValue)v!) ?? throw Unsupported(name))],
                _ => throw Unsupported(name),
            };
        }

        return new UnitFilter(fields);
    }

    public bool Matches(Unit unit)
    {
        ArgumentNullException.ThrowIfNull(unit);
        foreach (var (name, wanted) in _fields)
        {
            var actual = unit.Key[name] ?? (unit.Metadata[name] is JsonValue value ? Text(value) : null);
            if (actual is null || !wanted.Contains(actual))
            {
                return false;
            }
        }

        return true;
    }

    private static string? Text(JsonValue value) => value.GetValueKind() switch
    {
        JsonValueKind.String => value.GetValue<string>(),
        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.ToJsonString(),
        _ => null,
    };

    private static ApiException Unsupported(string name) => ApiException.Invalid(
        $"criteria.filters.unit.{name}: give a value, or {{\"$in\": [values]}}; no other operators are supported",
        new JsonObject { ["property_names"] = new JsonArray($"criteria.filters.unit.{name}") });
}
