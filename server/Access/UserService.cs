using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Berth.Plugins;
using Berth.Server.Errors;

namespace Berth.Server.Access;

/// <summary>
/// Users, their grants and their API tokens. Administrators manage everyone; a user may change their own password
/// and manage their own tokens. The last administrator cannot be removed or demoted.
/// </summary>
public sealed class UserService(IUserStore store, AccessControl access, Audit audit, TimeProvider clock)
{
    public const string AdministratorLogin = "admin";

    public async Task<User> CreateAsync(HttpContext context, JsonObject body)
    {
        ArgumentNullException.ThrowIfNull(body);
        await access.RequireAdministratorAsync(context);
        RequestFields.RejectUnknown(body, "request", ContentError.InvalidRequest, "login", "password", "grants");
        var user = new User
        {
            Login = UserCommands.ReadLogin(RequestFields.RequireString(body, "login", "request", ContentError.InvalidRequest)),
            PasswordHash = PasswordHasher.Hash(UserCommands.ReadPassword(body, "request")),
            Grants = UserCommands.ReadGrants(body, "grants", "request") ?? [],
            Created = clock.GetUtcNow(),
        };
        if (!await store.TryCreateAsync(user, context.RequestAborted))
        {
            throw ApiException.Duplicate("user", user.Login);
        }

        await audit.RecordAsync(context, "user.create", user.Login, Grants(user));
        return user;
    }

    public async Task<IReadOnlyList<User>> ListAsync(HttpContext context)
    {
        await access.RequireAdministratorAsync(context);
        return await store.ListAsync(context.RequestAborted);
    }

    public async Task<User> GetAsync(HttpContext context, string login)
    {
        await RequireSelfOrAdministratorAsync(context, login);
        return await FindAsync(login, context.RequestAborted);
    }

    /// <summary><c>{"delta": {"password"?, "grants"?}}</c>: only administrators change grants.</summary>
    public async Task<User> UpdateAsync(HttpContext context, string login, JsonObject body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var caller = await RequireSelfOrAdministratorAsync(context, login);
        RequestFields.RejectUnknown(body, "request", ContentError.InvalidRequest, "delta");
        var delta = RequestFields.OptionalObject(body, "delta", "request", ContentError.InvalidRequest)
            ?? throw ApiException.Invalid("request.delta is required: an object of the fields to change");
        RequestFields.RejectUnknown(delta, "delta", ContentError.InvalidRequest, "password", "grants");
        var user = await FindAsync(login, context.RequestAborted);
        var grants = UserCommands.ReadGrants(delta, "grants", "delta");
        if (grants is not null && !caller.IsAdministrator)
        {
            throw new AccessDeniedException(AccessFailure.Forbidden, "only an administrator may change grants");
        }

        var updated = user with
        {
            PasswordHash = delta.ContainsKey("password") ? PasswordHasher.Hash(UserCommands.ReadPassword(delta, "delta")) : user.PasswordHash,
            Grants = grants ?? user.Grants,
        };
        if (user.IsAdministrator && !updated.IsAdministrator)
        {
            await RefuseRemovingLastAdministratorAsync(login, context.RequestAborted);
        }

        if (!await store.UpdateAsync(updated, context.RequestAborted))
        {
            throw ApiException.NotFound("user", login);
        }

        await audit.RecordAsync(context, grants is null ? "user.password" : "user.grants", login, grants is null ? null : Grants(updated));
        return updated;
    }

    public async Task DeleteAsync(HttpContext context, string login)
    {
        await access.RequireAdministratorAsync(context);
        var user = await FindAsync(login, context.RequestAborted);
        if (user.IsAdministrator)
        {
            await RefuseRemovingLastAdministratorAsync(login, context.RequestAborted);
        }

        if (!await store.DeleteAsync(login, context.RequestAborted))
        {
            throw ApiException.NotFound("user", login);
        }

        await audit.RecordAsync(context, "user.delete", login);
    }

    /// <summary>
    /// Creates an API token: <c>{"name", "expires"? | "expires_in_days"?, "scope"?}</c>. The secret is in the
    /// result once and never again; only its hash is kept.
    /// </summary>
    public async Task<(ApiToken Token, string Secret)> CreateTokenAsync(HttpContext context, string login, JsonObject body)
    {
        ArgumentNullException.ThrowIfNull(body);
        await RequireSelfOrAdministratorAsync(context, login);
        _ = await FindAsync(login, context.RequestAborted);
        RequestFields.RejectUnknown(body, "request", ContentError.InvalidRequest, "name", "expires", "expires_in_days", "scope");
        var now = clock.GetUtcNow();
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var token = new ApiToken
        {
            Id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)),
            Login = login,
            Name = RequestFields.RequireString(body, "name", "request", ContentError.InvalidRequest),
            SecretHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret))),
            Expires = UserCommands.ReadExpiry(body, now),
            Scope = UserCommands.ReadGrants(body, "scope", "request") ?? [new Grant(Grant.Everything, AccessAction.All)],
            Created = now,
        };
        await store.CreateTokenAsync(token, context.RequestAborted);
        await audit.RecordAsync(context, "token.create", $"{login}/{token.Id}", $"{token.Name} until {token.Expires:O} {Grants(token.Scope)}");
        return (token, $"berth_{token.Id}_{secret}");
    }

    public async Task<IReadOnlyList<ApiToken>> ListTokensAsync(HttpContext context, string login)
    {
        await RequireSelfOrAdministratorAsync(context, login);
        _ = await FindAsync(login, context.RequestAborted);
        return await store.ListTokensAsync(login, context.RequestAborted);
    }

    public async Task RevokeTokenAsync(HttpContext context, string login, string id)
    {
        await RequireSelfOrAdministratorAsync(context, login);
        if (!await store.DeleteTokenAsync(login, id, context.RequestAborted))
        {
            throw ApiException.NotFound("token", id);
        }

        await audit.RecordAsync(context, "token.revoke", $"{login}/{id}");
    }

    /// <summary>On first start: the administrator, with the configured password or a new random one (returned, to be shown once).</summary>
    public async Task<string?> CreateFirstAdministratorAsync(string? password, CancellationToken cancellationToken)
    {
        if (await store.CountAsync(cancellationToken) > 0)
        {
            return null;
        }

        var generated = password is null;
        password ??= Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', '-').Replace('/', '_');
        await store.TryCreateAsync(
            new User
            {
                Login = AdministratorLogin,
                PasswordHash = PasswordHasher.Hash(password),
                Grants = [new Grant(Grant.Everything, AccessAction.All)],
                Created = clock.GetUtcNow(),
            },
            cancellationToken);
        return generated ? password : string.Empty;
    }

    private async Task<Caller> RequireSelfOrAdministratorAsync(HttpContext context, string login)
    {
        var caller = await access.RequireSignedInAsync(context);
        return caller.Login == login && caller.BearerAccess is null || caller.IsAdministrator
            ? caller
            : throw new AccessDeniedException(AccessFailure.Forbidden, $"only {login} or an administrator may do this");
    }

    private async Task<User> FindAsync(string login, CancellationToken cancellationToken) =>
        await store.FindAsync(login, cancellationToken) ?? throw ApiException.NotFound("user", login);

    private async Task RefuseRemovingLastAdministratorAsync(string login, CancellationToken cancellationToken)
    {
        var others = (await store.ListAsync(cancellationToken)).Where(u => u.Login != login && u.IsAdministrator);
        if (!others.Any())
        {
            throw new ApiException(ApiError.LastAdministrator, $"{login} is the last administrator: make another user an administrator first");
        }
    }

    private static string Grants(User user) => Grants(user.Grants);

    private static string Grants(IEnumerable<Grant> grants) => UserCommands.Describe(grants).ToJsonString();
}
