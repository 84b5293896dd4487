using System.Text.Json.Nodes;
using Berth.Server.Units;

namespace Berth.Server.Storage.LiteDb;

/// <summary>Users' metadata of units: the field <c>user_metadata</c> of a unit's document, which units of work do not write.</summary>
public sealed class LiteDbUnitUserMetadataStore(LiteDbDatabase database) : IUnitUserMetadataStore
{
    private const string Field = "user_metadata";

    public Task<JsonObject?> FindAsync(string typeId, string unitId, CancellationToken cancellationToken)
    {
        var document = database.Read(db => db.GetCollection(LiteDbDatabase.Units).FindById(unitId));
        return Task.FromResult(document is null || document["type_id"].AsString != typeId ? null : Of(document) ?? []);
    }

    /// <summary>What users set on the unit of this document; <see langword="null"/> when they never did.</summary>
    internal static JsonObject? Of(LiteDB.BsonDocument unit) =>
        unit.TryGetValue(Field, out var stored) && stored.IsDocument ? BsonJson.ToJsonObject(stored) : null;

    public Task<bool> SetAsync(string typeId, string unitId, JsonObject userMetadata, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(userMetadata);
        return database.WriteAsync(db =>
        {
            var units = db.GetCollection(LiteDbDatabase.Units);
            if (units.FindById(unitId) is not { } document || document["type_id"].AsString != typeId)
            {
                return false;
            }

            document[Field] = BsonJson.ToDocument(userMetadata);
            return units.Update(document);
        });
    }
}
