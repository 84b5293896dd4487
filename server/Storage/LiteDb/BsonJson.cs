using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using LiteDB;

namespace Berth.Server.Storage.LiteDb;

/// <summary>Converts the free-form JSON of units and configurations to BSON and back, numbers as Int64 or Double.</summary>
internal static class BsonJson
{
    public static BsonDocument ToDocument(JsonObject json)
    {
        var document = new BsonDocument();
        foreach (var (name, value) in json)
        {
            document[name] = ToBson(value);
        }

        return document;
    }

    public static BsonValue ToBson(JsonNode? node) => node switch
    {
        null => BsonValue.Null,
        JsonObject json => ToDocument(json),
        JsonArray array => new BsonArray(array.Select(ToBson)),
        JsonValue value => value.GetValueKind() switch
        {
            JsonValueKind.String => new BsonValue(value.GetValue<string>()),
            JsonValueKind.True => new BsonValue(true),
            JsonValueKind.False => new BsonValue(false),
            JsonValueKind.Number => ToNumber(value),
            _ => BsonValue.Null,
        },
        _ => BsonValue.Null,
    };

    public static JsonObject ToJsonObject(BsonValue value) =>
        value is { IsDocument: true } ? (JsonObject)ToJson(value)! : [];

    public static JsonNode? ToJson(BsonValue value) => value.Type switch
    {
        BsonType.Document => new JsonObject(value.AsDocument.Select(f => KeyValuePair.Create(f.Key, ToJson(f.Value)))),
        BsonType.Array => new JsonArray([.. value.AsArray.Select(ToJson)]),
        BsonType.String => JsonValue.Create(value.AsString),
        BsonType.Int32 or BsonType.Int64 => JsonValue.Create(value.AsInt64),
        BsonType.Double => JsonValue.Create(value.AsDouble),
        BsonType.Decimal => JsonValue.Create(value.AsDecimal),
        BsonType.Boolean => JsonValue.Create(value.AsBoolean),
        BsonType.DateTime => JsonValue.Create(value.AsDateTime.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture)),
        _ => null,
    };

    // A JsonValue may wrap an int, a long, a double or a parsed element; its text says which number it is.
    private static BsonValue ToNumber(JsonValue value)
    {
        using var document = JsonDocument.Parse(value.ToJsonString());
        return document.RootElement.TryGetInt64(out var integer) ? new BsonValue(integer) : new BsonValue(document.RootElement.GetDouble());
    }
}
