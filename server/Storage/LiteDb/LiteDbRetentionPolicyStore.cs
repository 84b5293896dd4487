using System.Text.Json.Nodes;
using Berth.Server.Repositories;
using Berth.Server.Retention;
using LiteDB;

namespace Berth.Server.Storage.LiteDb;

/// <summary>Policies in collection <c>retention_policies</c>, one document per repository (its id), the policy as its JSON.</summary>
public sealed class LiteDbRetentionPolicyStore(LiteDbDatabase database) : IRetentionPolicyStore
{
    public Task<RetentionPolicy?> FindAsync(RepositoryId repositoryId, CancellationToken cancellationToken)
    {
        var document = database.Read(db => db.GetCollection(LiteDbDatabase.RetentionPolicies).FindById(repositoryId.Value));
        return Task.FromResult(document is null ? null : FromDocument(document));
    }

    public async Task<bool> SaveAsync(RepositoryId repositoryId, RetentionPolicy policy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var saved = await database.WriteAsync(db =>
        {
            if (db.GetCollection(LiteDbDatabase.Repositories).FindById(repositoryId.Value) is null)
            {
                return false;
            }

            db.GetCollection(LiteDbDatabase.RetentionPolicies).Upsert(new BsonDocument
            {
                ["_id"] = repositoryId.Value,
                ["policy"] = policy.Describe().ToJsonString(),
            });
            return true;
        });
        return saved;
    }

    public Task<bool> DeleteAsync(RepositoryId repositoryId, CancellationToken cancellationToken) =>
        database.WriteAsync(db => db.GetCollection(LiteDbDatabase.RetentionPolicies).Delete(repositoryId.Value));

    public Task<IReadOnlyList<(RepositoryId Repository, RetentionPolicy Policy)>> ListAsync(CancellationToken cancellationToken)
    {
        var all = database.Read(db => db.GetCollection(LiteDbDatabase.RetentionPolicies).FindAll()
            .Select(d => (RepositoryId.TryParse(d["_id"].AsString, out var id, out _) ? id : throw new InvalidDataException($"stored repository id '{d["_id"]}' is invalid"), FromDocument(d)))
            .ToList());
        return Task.FromResult<IReadOnlyList<(RepositoryId, RetentionPolicy)>>(all);
    }

    internal static RetentionPolicy FromDocument(BsonDocument document) =>
        RetentionPolicy.Read(JsonNode.Parse(document["policy"].AsString)!.AsObject());
}
