using System.Text.Json.Nodes;
using Berth.Plugins;
using Npgsql;

namespace Berth.Server.Storage.PostgreSql;

/// <summary>How a unit is kept in table <c>units</c>: its key canonical (unique per type) and as fields, its metadata and references as JSON.</summary>
internal static class PostgreSqlUnitRows
{
    /// <summary>The columns <see cref="Read"/> reads, first in a SELECT, qualified by <paramref name="alias"/>.</summary>
    public static string Columns(string alias) => string.Join(", ", ColumnNames.Select(c => $"{alias}.{c}"));

    private static readonly string[] ColumnNames = ["id", "type_id", "key_fields", "metadata", "content_digest", "unit_references"];

    public static Unit Read(NpgsqlDataReader reader) => new()
    {
        Id = reader.GetString(0),
        TypeId = reader.GetString(1),
        Key = KeyFrom(reader.GetJson(2)),
        Metadata = reader.GetJson(3).AsObject(),
        ContentDigest = reader.GetNullableString(4),
        References = reader.IsDBNull(5) ? [] : ReferencesFrom(reader.GetJson(5)),
    };

    public static JsonObject KeyJson(UnitKey key) => new(key.Fields.Select(f => KeyValuePair.Create(f.Key, (JsonNode?)JsonValue.Create(f.Value))));

    public static JsonArray ReferencesJson(IEnumerable<UnitReference> references) =>
        [.. references.Select(r => (JsonNode)new JsonObject { ["type_id"] = r.TypeId, ["key"] = KeyJson(r.Key), ["kind"] = r.Kind.ToString() })];

    private static UnitKey KeyFrom(JsonNode fields) => UnitKey.Of(fields.AsObject().Select(f => KeyValuePair.Create(f.Key, f.Value!.GetValue<string>())));

    private static List<UnitReference> ReferencesFrom(JsonNode references) =>
        [.. references.AsArray().Select(r => new UnitReference(r!["type_id"]!.GetValue<string>(), KeyFrom(r["key"]!), Enum.Parse<UnitReferenceKind>(r["kind"]!.GetValue<string>())))];
}
