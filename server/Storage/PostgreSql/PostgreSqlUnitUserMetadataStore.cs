using System.Text.Json.Nodes;
using Berth.Server.Units;

namespace Berth.Server.Storage.PostgreSql;

/// <summary>Users' metadata of units: the column <c>units.user_metadata</c>, which units of work do not write.</summary>
public sealed class PostgreSqlUnitUserMetadataStore(PostgreSqlDatabase database) : IUnitUserMetadataStore
{
    public Task<JsonObject?> FindAsync(string typeId, string unitId, CancellationToken cancellationToken) =>
        database.ReadAsync(
            connection => connection.Command("SELECT coalesce(user_metadata, '{}'::jsonb) FROM units WHERE type_id = @type AND id = @id")
                .With("type", typeId)
                .With("id", unitId)
                .FirstOrDefaultAsync(r => r.GetJson(0).AsObject(), cancellationToken),
            cancellationToken);

    public async Task<bool> SetAsync(string typeId, string unitId, JsonObject userMetadata, CancellationToken cancellationToken) =>
        await database.WriteAsync(
            (connection, transaction) => connection.Command("UPDATE units SET user_metadata = @metadata WHERE type_id = @type AND id = @id", transaction)
                .WithJson("metadata", userMetadata)
                .With("type", typeId)
                .With("id", unitId)
                .ExecuteAsync(cancellationToken),
            cancellationToken) == 1;
}
