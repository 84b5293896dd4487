using System.Text.Json.Nodes;
using Berth.Server.Access;
using Npgsql;

namespace Berth.Server.Storage.PostgreSql;

/// <summary>Users (table <c>users</c>, by login) and their API tokens (table <c>tokens</c>, by id).</summary>
public sealed class PostgreSqlUserStore(PostgreSqlDatabase database) : IUserStore
{
    private const string TokenColumns = "id, login, name, secret_hash, expires, scope, account, created";

    // Every signed-in request looks up its user or token: read from memory until a server changes users or tokens, so
    // that a revoked token or a removed grant holds everywhere as soon as every server has heard of it.
    private static readonly string[] Changes = [PostgreSqlChangeFeed.Users];
    private readonly ReadCache<string, User?> _users = new(database.Changes, Changes, capacity: 10_000);
    private readonly ReadCache<string, ApiToken?> _tokens = new(database.Changes, Changes, capacity: 10_000);

    public Task<bool> TryCreateAsync(User user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        return database.WriteAsync(Changes, (connection, transaction) => TryInsertAsync(connection, transaction, user, cancellationToken), cancellationToken);
    }

    // Only what exists is remembered: a sign-in refused for a login or token of the client's choosing leaves nothing.
    public Task<User?> FindAsync(string login, CancellationToken cancellationToken) =>
        _users.GetOrReadAsync(
            login,
            () => database.ReadAsync(
                connection => connection.Command("SELECT login, password_hash, grants, created FROM users WHERE login = @login").With("login", login).FirstOrDefaultAsync(ReadUser, cancellationToken),
                cancellationToken),
            keep: user => user is not null);

    public async Task<IReadOnlyList<User>> ListAsync(CancellationToken cancellationToken) =>
        await database.ReadAsync(connection => connection.Command("SELECT login, password_hash, grants, created FROM users ORDER BY login").ListAsync(ReadUser, cancellationToken), cancellationToken);

    public Task<long> CountAsync(CancellationToken cancellationToken) =>
        database.ReadAsync(connection => connection.Command("SELECT count(*) FROM users").ScalarAsync<long>(cancellationToken), cancellationToken);

    public Task<bool> UpdateAsync(User user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        return database.WriteAsync(
            Changes,
            async (connection, transaction) => await connection.Command("UPDATE users SET password_hash = @hash, grants = @grants WHERE login = @login", transaction)
                .With("login", user.Login)
                .With("hash", user.PasswordHash)
                .WithJson("grants", GrantsJson(user.Grants))
                .ExecuteAsync(cancellationToken) == 1,
            cancellationToken);
    }

    public Task<bool> DeleteAsync(string login, CancellationToken cancellationToken) =>
        database.WriteAsync(
            Changes,
            async (connection, transaction) =>
            {
                await connection.Command("DELETE FROM tokens WHERE login = @login", transaction).With("login", login).ExecuteAsync(cancellationToken);
                return await connection.Command("DELETE FROM users WHERE login = @login", transaction).With("login", login).ExecuteAsync(cancellationToken) == 1;
            },
            cancellationToken);

    public Task CreateTokenAsync(ApiToken token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        return database.WriteAsync(Changes, (connection, transaction) => InsertTokenAsync(connection, transaction, token, cancellationToken), cancellationToken);
    }

    /// <summary>Inserts a user unless the login is taken; also written by <c>migrate</c>.</summary>
    internal static async Task<bool> TryInsertAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, User user, CancellationToken cancellationToken) =>
        await connection.Command("INSERT INTO users (login, password_hash, grants, created) VALUES (@login, @hash, @grants, @created) ON CONFLICT (login) DO NOTHING", transaction)
            .With("login", user.Login)
            .With("hash", user.PasswordHash)
            .WithJson("grants", GrantsJson(user.Grants))
            .WithTime("created", user.Created)
            .ExecuteAsync(cancellationToken) == 1;

    /// <summary>Inserts a token; also written by <c>migrate</c>.</summary>
    internal static Task<int> InsertTokenAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, ApiToken token, CancellationToken cancellationToken) =>
        connection.Command($"INSERT INTO tokens ({TokenColumns}) VALUES (@id, @login, @name, @hash, @expires, @scope, @account, @created)", transaction)
            .With("id", token.Id)
            .With("login", token.Login)
            .With("name", token.Name)
            .With("hash", token.SecretHash)
            .WithTime("expires", token.Expires)
            .WithJson("scope", GrantsJson(token.Scope))
            .With("account", token.Account)
            .WithTime("created", token.Created)
            .ExecuteAsync(cancellationToken);

    public Task<ApiToken?> FindTokenAsync(string id, CancellationToken cancellationToken) =>
        _tokens.GetOrReadAsync(
            id,
            () => database.ReadAsync(
                connection => connection.Command($"SELECT {TokenColumns} FROM tokens WHERE id = @id").With("id", id).FirstOrDefaultAsync(ReadToken, cancellationToken),
                cancellationToken),
            keep: token => token is not null);

    public async Task<IReadOnlyList<ApiToken>> ListTokensAsync(string login, CancellationToken cancellationToken) =>
        await database.ReadAsync(
            connection => connection.Command($"SELECT {TokenColumns} FROM tokens WHERE login = @login ORDER BY created, id").With("login", login).ListAsync(ReadToken, cancellationToken),
            cancellationToken);

    public Task<bool> DeleteTokenAsync(string login, string id, CancellationToken cancellationToken) =>
        database.WriteAsync(
            Changes,
            async (connection, transaction) => await connection.Command("DELETE FROM tokens WHERE id = @id AND login = @login", transaction)
                .With("id", id)
                .With("login", login)
                .ExecuteAsync(cancellationToken) == 1,
            cancellationToken);

    private static User ReadUser(NpgsqlDataReader reader) => new()
    {
        Login = reader.GetString(0),
        PasswordHash = reader.GetString(1),
        Grants = GrantsFrom(reader.GetJson(2)),
        Created = reader.GetTime(3),
    };

    private static ApiToken ReadToken(NpgsqlDataReader reader) => new()
    {
        Id = reader.GetString(0),
        Login = reader.GetString(1),
        Name = reader.GetString(2),
        SecretHash = reader.GetString(3),
        Expires = reader.GetTime(4),
        Scope = GrantsFrom(reader.GetJson(5)),
        Account = reader.GetBoolean(6),
        Created = reader.GetTime(7),
    };

    internal static JsonArray GrantsJson(IEnumerable<Grant> grants) =>
        [.. grants.Select(g => (JsonNode)new JsonObject { ["pattern"] = g.Pattern, ["actions"] = (int)g.Actions })];

    private static List<Grant> GrantsFrom(JsonNode grants) =>
        [.. grants.AsArray().Select(g => new Grant(g!["pattern"]!.GetValue<string>(), (AccessAction)g["actions"]!.GetValue<int>()))];
}
