using Berth.Server.Repositories;
using Berth.Server.TagHistory;
using LiteDB;

namespace Berth.Server.Storage.LiteDb;

public sealed class LiteDbTagHistoryStore(LiteDbDatabase database) : ITagHistoryStore
{
    /// <summary>Appends a move, in the caller's transaction (moves are written by units of work).</summary>
    internal static void Append(LiteDatabase db, TagMove move) => db.GetCollection(LiteDbDatabase.TagHistory).Insert(new BsonDocument
    {
        ["tag_key"] = Key(move.Repository, move.Tag),
        ["tag"] = move.Tag,
        ["at"] = BsonDates.ToBson(move.At),
        ["actor"] = move.Actor,
        ["old"] = move.OldDigest is { } old ? new BsonValue(old) : BsonValue.Null,
        ["new"] = move.NewDigest is { } @new ? new BsonValue(@new) : BsonValue.Null,
    });

    public Task<IReadOnlyList<TagMove>> ListAsync(RepositoryId repository, string tag, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<TagMove>>(database.Read(db =>
            db.GetCollection(LiteDbDatabase.TagHistory)
                .Find(LiteQuery.Equal("tag_key", Key(repository, tag)))
                .OrderByDescending(d => d["_id"].AsObjectId)
                .Select(d => new TagMove(
                    repository,
                    tag,
                    BsonDates.FromBson(d["at"]),
                    d["actor"].AsString,
                    d["old"].IsString ? d["old"].AsString : null,
                    d["new"].IsString ? d["new"].AsString : null))
                .ToList()));

    /// <summary>
    /// A repository's moves: their keys begin with the repository's id and ':', so a range of the key's index finds
    /// them, and no index of their own costs pages at every tag move.
    /// </summary>
    internal static BsonExpression MovesIn(RepositoryId repository) => LiteDbDatabase.StartingWith("tag_key", repository.Value + ":");

    /// <summary>What moves of one tag share, indexed: repository ids cannot hold ':', so the key is unambiguous.</summary>
    private static string Key(RepositoryId repository, string tag) => $"{repository.Value}:{tag}";
}
