using Berth.Server.Access;
using LiteDB;

namespace Berth.Server.Storage.LiteDb;

/// <summary>Users (collection <c>users</c>, by login) and their API tokens (collection <c>tokens</c>, by id).</summary>
public sealed class LiteDbUserStore(LiteDbDatabase database) : IUserStore
{
    private readonly ReadCache<string, User?> _users = new(database, [LiteDbDatabase.Users], capacity: 10_000);
    private readonly ReadCache<string, ApiToken?> _tokens = new(database, [LiteDbDatabase.Tokens], capacity: 10_000);

    public Task<bool> TryCreateAsync(User user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        return database.WriteAsync(db =>
        {
            var users = db.GetCollection(LiteDbDatabase.Users);
            if (users.FindById(user.Login) is not null)
            {
                return false;
            }

            users.Insert(ToDocument(user));
            return true;
        });
    }

    /// <summary>How many users the store remembers reading.</summary>
    internal int CachedUsers => _users.Count;

    // Only users that exist are remembered: a sign-in refused for an unknown login (of any length the client
    // likes) leaves nothing behind.
    public Task<User?> FindAsync(string login, CancellationToken cancellationToken) =>
        Task.FromResult(_users.GetOrRead(
            login,
            () => database.Read(db => db.GetCollection(LiteDbDatabase.Users).FindById(login) is { } d ? FromDocument(d) : null),
            keep: user => user is not null));

    public Task<IReadOnlyList<User>> ListAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<User>>(database.Read(db => db.GetCollection(LiteDbDatabase.Users).FindAll().Select(FromDocument).OrderBy(u => u.Login, StringComparer.Ordinal).ToList()));

    public Task<long> CountAsync(CancellationToken cancellationToken) =>
        Task.FromResult(database.Read(db => db.GetCollection(LiteDbDatabase.Users).LongCount()));

    public Task<bool> UpdateAsync(User user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        return database.WriteAsync(db =>
        {
            var users = db.GetCollection(LiteDbDatabase.Users);
            var stored = users.FindById(user.Login);
            if (stored is null)
            {
                return false;
            }

            var updated = ToDocument(user);
            updated["created"] = stored["created"];
            return users.Update(updated);
        });
    }

    public Task<bool> DeleteAsync(string login, CancellationToken cancellationToken) =>
        database.WriteAsync(db =>
        {
            db.GetCollection(LiteDbDatabase.Tokens).DeleteMany(LiteQuery.Equal("login", login));
            return db.GetCollection(LiteDbDatabase.Users).Delete(login);
        });

    public async Task CreateTokenAsync(ApiToken token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        await database.WriteAsync(db => db.GetCollection(LiteDbDatabase.Tokens).Insert(new BsonDocument
        {
            ["_id"] = token.Id,
            ["login"] = token.Login,
            ["name"] = token.Name,
            ["secret_hash"] = token.SecretHash,
            ["expires"] = BsonDates.ToBson(token.Expires),
            ["scope"] = ToBson(token.Scope),
            ["account"] = token.Account,
            ["created"] = BsonDates.ToBson(token.Created),
        }));
    }

    public Task<ApiToken?> FindTokenAsync(string id, CancellationToken cancellationToken) =>
        Task.FromResult(_tokens.GetOrRead(id, () => database.Read(db => db.GetCollection(LiteDbDatabase.Tokens).FindById(id) is { } d ? TokenFromDocument(d) : null)));

    public Task<IReadOnlyList<ApiToken>> ListTokensAsync(string login, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<ApiToken>>(database.Read(db =>
            db.GetCollection(LiteDbDatabase.Tokens).Find(LiteQuery.Equal("login", login)).Select(TokenFromDocument).OrderBy(t => t.Created).ToList()));

    public Task<bool> DeleteTokenAsync(string login, string id, CancellationToken cancellationToken) =>
        database.WriteAsync(db =>
        {
            var tokens = db.GetCollection(LiteDbDatabase.Tokens);
            return tokens.FindById(id) is { } token && token["login"].AsString == login && tokens.Delete(id);
        });

    private static BsonDocument ToDocument(User user) => new()
    {
        ["_id"] = user.Login,
        ["password_hash"] = user.PasswordHash,
        ["grants"] = ToBson(user.Grants),
        ["created"] = BsonDates.ToBson(user.Created),
    };

    internal static User FromDocument(BsonDocument document) => new()
    {
        Login = document["_id"].AsString,
        PasswordHash = document["password_hash"].AsString,
        Grants = FromBson(document["grants"]),
        Created = BsonDates.FromBson(document["created"]),
    };

    internal static ApiToken TokenFromDocument(BsonDocument document) => new()
    {
        Id = document["_id"].AsString,
        Login = document["login"].AsString,
        Name = document["name"].AsString,
        SecretHash = document["secret_hash"].AsString,
        Expires = BsonDates.FromBson(document["expires"]),
        Scope = FromBson(document["scope"]),

        // Tokens made before tokens could manage accounts never could.
        Account = document["account"].IsBoolean && document["account"].AsBoolean,
        Created = BsonDates.FromBson(document["created"]),
    };

    private static BsonArray ToBson(IEnumerable<Grant> grants) =>
        new(grants.Select(g => (BsonValue)new BsonDocument { ["pattern"] = g.Pattern, ["actions"] = (int)g.Actions }));

    private static List<Grant> FromBson(BsonValue grants) =>
        [.. grants.AsArray.Select(g => new Grant(g["pattern"].AsString, (AccessAction)g["actions"].AsInt32))];
}
