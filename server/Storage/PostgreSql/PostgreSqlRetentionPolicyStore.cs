using System.Text.Json.Nodes;
using Berth.Server.Repositories;
using Berth.Server.Retention;

namespace Berth.Server.Storage.PostgreSql;

/// <summary>Policies in table <c>retention_policies</c>, one row per repository, the policy as its JSON text.</summary>
public sealed class PostgreSqlRetentionPolicyStore(PostgreSqlDatabase database) : IRetentionPolicyStore
{
    public Task<RetentionPolicy?> FindAsync(RepositoryId repositoryId, CancellationToken cancellationToken) =>
        database.ReadAsync(
            connection => connection.Command("SELECT policy FROM retention_policies WHERE repo_id = @repo")
                .With("repo", repositoryId.Value)
                .FirstOrDefaultAsync(reader => Read(reader.GetString(0)), cancellationToken),
            cancellationToken);

    public Task<bool> SaveAsync(RepositoryId repositoryId, RetentionPolicy policy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(policy);

        // A repository deleted meanwhile leaves nothing to insert: the SELECT finds no row.
        return database.WriteAsync(
            async (connection, transaction) => await connection.Command(
                    """
                    INSERT INTO retention_policies (repo_id, policy) SELECT id, @policy FROM repositories WHERE id = @repo FOR KEY SHARE
                    ON CONFLICT (repo_id) DO UPDATE SET policy = excluded.policy
                    """,
                    transaction)
                .With("repo", repositoryId.Value)
                .With("policy", policy.Describe().ToJsonString())
                .ExecuteAsync(cancellationToken) == 1,
            cancellationToken);
    }

    public Task<bool> DeleteAsync(RepositoryId repositoryId, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (connection, transaction) => await connection.Command("DELETE FROM retention_policies WHERE repo_id = @repo", transaction)
                .With("repo", repositoryId.Value)
                .ExecuteAsync(cancellationToken) == 1,
            cancellationToken);

    public async Task<IReadOnlyList<(RepositoryId Repository, RetentionPolicy Policy)>> ListAsync(CancellationToken cancellationToken) =>
        await database.ReadAsync(
            connection => connection.Command("SELECT repo_id, policy FROM retention_policies ORDER BY repo_id").ListAsync(
                reader => (RepositoryId.TryParse(reader.GetString(0), out var id, out _) ? id : throw new InvalidDataException($"stored repository id '{reader.GetString(0)}' is invalid"), Read(reader.GetString(1))),
                cancellationToken),
            cancellationToken);

    private static RetentionPolicy Read(string policy) => RetentionPolicy.Read(JsonNode.Parse(policy)!.AsObject());
}
