using Berth.Server.Repositories;
using Berth.Server.TagHistory;

namespace Berth.Server.Storage.PostgreSql;

/// <summary>Tag moves in table <c>tag_history</c>, appended by units of work (see <see cref="PostgreSqlUnitOfWorkStore"/>).</summary>
public sealed class PostgreSqlTagHistoryStore(PostgreSqlDatabase database) : ITagHistoryStore
{
    public async Task<IReadOnlyList<TagMove>> ListAsync(RepositoryId repository, string tag, CancellationToken cancellationToken) =>
        await database.ReadAsync(
            connection => connection.Command("SELECT at, actor, old_digest, new_digest FROM tag_history WHERE repo_id = @repo AND tag = @tag ORDER BY id DESC")
                .With("repo", repository.Value)
                .With("tag", tag)
                .ListAsync(reader => new TagMove(repository, tag, reader.GetTime(0), reader.GetString(1), reader.GetNullableString(2), reader.GetNullableString(3)), cancellationToken),
            cancellationToken);
}
