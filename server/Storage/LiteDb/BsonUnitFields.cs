using System.Text.Json.Nodes;
using Berth.Server.Criteria;
using Berth.Server.Units;
using LiteDB;

namespace Berth.Server.Storage.LiteDb;

/// <summary>
/// A stored unit's document as criteria see it (<see cref="UnitResponse.Document"/>), holding only some of its top-level
/// fields: a search that tests or orders by a field or two converts those, not every unit's whole document to JSON. Each
/// field comes from where the whole document would take it: what users set on the unit, once they have; then the unit's
/// id or type; then its metadata; then its key. The store contract's criteria tests hold this to the same answers as the
/// whole document (and PostgreSQL's).
/// </summary>
internal static class BsonUnitFields
{
    public static JsonFieldValues Of(BsonDocument unit, IReadOnlySet<string> names)
    {
        var document = new JsonObject();
        foreach (var name in names)
        {
            if (Find(unit, name) is (true, var value))
            {
                document[name] = value;
            }
        }

        return new JsonFieldValues(document);
    }

    private static (bool Found, JsonNode? Value) Find(BsonDocument unit, string name) => name switch
    {
        UnitResponse.UserMetadataField when LiteDbUnitUserMetadataStore.Of(unit) is { } userMetadata => (true, userMetadata),
        UnitResponse.IdField => (true, JsonValue.Create(unit["_id"].AsString)),
        UnitResponse.TypeField => (true, JsonValue.Create(unit["type_id"].AsString)),
        _ when Field(unit["metadata"], name) is { } metadata => (true, BsonJson.ToJson(metadata)),
        _ when Field(unit["key"], name) is { } key => (true, JsonValue.Create(key.AsString)),
        _ => (false, null),
    };

    // A BSON document finds a field by its name in any case; the JSON document criteria read, only in the case written.
    private static BsonValue? Field(BsonValue document, string name) =>
        document.IsDocument && document.AsDocument.FirstOrDefault(f => string.Equals(f.Key, name, StringComparison.Ordinal)) is { Key: not null } field
            ? field.Value
            : null;
}
