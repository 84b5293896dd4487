using Berth.Plugins;
using LiteDB;

namespace Berth.Server.Storage.LiteDb;

/// <summary>A unit's references as stored with it: <c>[{type_id, key: {...}, kind}]</c>.</summary>
internal static class BsonUnitReferences
{
    public const string Field = "references";

    public static BsonArray ToBson(IEnumerable<UnitReference> references) => new(references.Select(r => (BsonValue)new BsonDocument
    {
        ["type_id"] = r.TypeId,
        ["key"] = new BsonDocument(r.Key.Fields.ToDictionary(f => f.Key, f => new BsonValue(f.Value))),
        ["kind"] = r.Kind.ToString(),
    }));

    /// <summary>The references stored with a unit; none when it was stored before references were kept.</summary>
    public static IReadOnlyList<UnitReference> FromBson(BsonValue value) => value is { IsArray: true }
        ? [.. value.AsArray.Select(r => new UnitReference(
            r["type_id"].AsString,
            UnitKey.Of(r["key"].AsDocument.Select(f => KeyValuePair.Create(f.Key, f.Value.AsString))),
            Enum.Parse<UnitReferenceKind>(r["kind"].AsString)))]
        : [];

    public static bool IsStored(BsonDocument unit) => unit.ContainsKey(Field);
}
