using Berth.Server.Access;
using LiteDB;

namespace Berth.Server.Storage.LiteDb;

public sealed class LiteDbSignedOutSessionStore(LiteDbDatabase database) : ISignedOutSessionStore
{
    private static readonly string[] Changes = [LiteDbDatabase.SignedOutSessions];

    public async Task SignOutAsync(string id, DateTimeOffset expires, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        await database.WriteAsync(Changes, db =>
        {
            var sessions = db.GetCollection(LiteDbDatabase.SignedOutSessions);
            sessions.EnsureIndex("expires");
            sessions.DeleteMany(Query.LT("expires", BsonDates.ToBson(now)));
            return sessions.Upsert(new BsonDocument { ["_id"] = id, ["expires"] = BsonDates.ToBson(expires) });
        });
    }

    public Task<bool> IsSignedOutAsync(string id, CancellationToken cancellationToken) =>
        Task.FromResult(database.Read(db => db.GetCollection(LiteDbDatabase.SignedOutSessions).FindById(id) is not null));
}
