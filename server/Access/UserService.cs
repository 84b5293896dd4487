using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Berth.Plugins;
using Berth.Server.Errors;

namespace Berth.Server.Access;

/// <summary>
/// Users, their grants and their API tokens. Administrators manage everyone; a user may change their own password
/// and manage their own tokens, with their password or a token whose scope includes the account. A token never
/// makes a token wider than itself. The last administrator cannot be removed or demoted.
/// </summary>
public sealed class UserService(IUserStore store, AccessControl access, Audit audit, TimeProvider clock)
{
    public const string AdministratorLogin = "admin";

    /// <summary>
    /// Checks, before a body is read, that the caller may manage the account <paramref name="login"/>: their own
    /// with the password or a token whose scope includes the account (an administrator's own account too: an admin
    /// token without it must not lock its user out), anyone else's as an administrator.
    /// </summary>
    public async Task<AccountAccess> RequireAccountAsync(HttpContext context, string login)
    {
        var caller = await access.RequireSignedInAsync(context);
        if (caller.Login != login)
        {
            return caller.IsAdministrator
                ? new AccountAccess(caller, login)
                : throw new AccessDeniedException(AccessFailure.Forbidden, $"only {login} or an administrator may do this");
        }

        return caller.MayManageOwnAccount
            ? new AccountAccess(caller, login)
            : throw new AccessDeniedException(
                AccessFailure.Forbidden,
                caller.Credential == CredentialKind.RegistryToken
                    ? "a registry token cannot manage an account: sign in with the password"
                    : "this API token's scope does not include the account: sign in with the password, or with a token created with \"account\": true");
    }

    public async Task<User> CreateAsync(HttpContext context, JsonObject body)
    {
        ArgumentNullException.ThrowIfNull(body);
        await access.RequireAdministratorAsync(context);
        RequestFields.RejectUnknown(body, "request", ContentError.InvalidRequest, "login", "password", "grants");
        var user = new User
        {
            Login = UserCommands.ReadLogin(RequestFields.RequireString(body, "login", "request", ContentError.InvalidRequest)),
            PasswordHash = PasswordHasher.Hash(UserCommands.ReadPassword(body, "request")),
            Grants = UserCommands.ReadGrants(body, "grants", "request", UserCommands.MaxGrantsPerUser) ?? [],
            Created = clock.GetUtcNow(),
        };
        if (!await store.TryCreateAsync(user, context.RequestAborted))
        {
            throw new DuplicateException("user", user.Login);
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
        var account = await RequireAccountAsync(context, login);
        return await FindAsync(account.Login, context.RequestAborted);
    }

    /// <summary><c>{"delta": {"password"?, "grants"?}}</c>: only administrators change grants.</summary>
    public async Task<User> UpdateAsync(HttpContext context, AccountAccess account, JsonObject body)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(body);
        var login = account.Login;
        RequestFields.RejectUnknown(body, "request", ContentError.InvalidRequest, "delta");
        var delta = RequestFields.OptionalObject(body, "delta", "request", ContentError.InvalidRequest)
            ?? throw ApiException.Invalid("request.delta is required: an object of the fields to change");
        RequestFields.RejectUnknown(delta, "delta", ContentError.InvalidRequest, "password", "grants");
        var user = await FindAsync(login, context.RequestAborted);
        var grants = UserCommands.ReadGrants(delta, "grants", "delta", UserCommands.MaxGrantsPerUser);
        if (grants is not null && !account.Caller.IsAdministrator)
        {
            throw new AccessDeniedException(AccessFailure.Forbidden, "only an administrator may change grants");
        }

        // A new password is the whole account: a token, whatever its scope, must not turn itself into it.
        if (delta.ContainsKey("password") && account.IsOwn && account.Caller.Credential != CredentialKind.Password)
        {
            throw new AccessDeniedException(AccessFailure.Forbidden, "changing one's own password needs the password: sign in with it, not with a token");
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
            throw new NotFoundException("user", login);
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
            throw new NotFoundException("user", login);
        }

        await audit.RecordAsync(context, "user.delete", login);
    }

    /// <summary>
    /// Creates an API token: <c>{"name", "expires"? | "expires_in_days"?, "scope"?, "account"?}</c>. Made with an API
    /// token, it must lie within that token's scope, which is also its default; made with the password, its
    /// default scope is everything the user may do. The secret is in the result once; only its hash is kept.
    /// </summary>
    public async Task<(ApiToken Token, string Secret)> CreateTokenAsync(HttpContext context, AccountAccess account, JsonObject body)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(body);
        var login = account.Login;
        _ = await FindAsync(login, context.RequestAborted);
        RequestFields.RejectUnknown(body, "request", ContentError.InvalidRequest, "name", "expires", "expires_in_days", "scope", "account");
        var creator = account.Caller.Token;
        var scope = UserCommands.ReadGrants(body, "scope", "request", UserCommands.MaxGrantsPerToken) ?? creator?.Scope ?? [new Grant(Grant.Everything, AccessAction.All)];
        var forAccount = RequestFields.OptionalBoolean(body, "account", "request", ContentError.InvalidRequest) ?? false;
        if (creator is not null && !ApiToken.ScopeCovers(creator.Scope, scope))
        {
            throw new AccessDeniedException(
                AccessFailure.Forbidden,
                $"a token can only make tokens within its own scope ({Grants(creator.Scope)}); sign in with the password to make a wider one");
        }

        if (forAccount && creator is { Account: false })
        {
            throw new AccessDeniedException(AccessFailure.Forbidden, "a token without the account in its scope cannot make one with it; sign in with the password");
        }

        var now = clock.GetUtcNow();
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var token = new ApiToken
        {
            Id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)),
            Login = login,
            Name = UserCommands.ReadTokenName(RequestFields.RequireString(body, "name", "request", ContentError.InvalidRequest)),
            SecretHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret))),
            Expires = UserCommands.ReadExpiry(body, now),
            Scope = scope,
            Account = forAccount,
            Created = now,
        };
        if (creator is not null && token.Expires > creator.Expires)
        {
            // Unasked, the new token ends with the one that made it; asked to outlive it, it is refused.
            token = body.ContainsKey("expires") || body.ContainsKey("expires_in_days")
                ? throw ApiException.Invalid($"a token made with a token may not outlive it: this one expires {creator.Expires:O}")
                : token with { Expires = creator.Expires };
        }

        await store.CreateTokenAsync(token, context.RequestAborted);
        await audit.RecordAsync(context, "token.create", $"{login}/{token.Id}", $"{token.Name} until {token.Expires:O} {Grants(token.Scope)}{(token.Account ? " +account" : string.Empty)}");
        return (token, $"berth_{token.Id}_{secret}");
    }

    public async Task<IReadOnlyList<ApiToken>> ListTokensAsync(HttpContext context, string login)
    {
        var account = await RequireAccountAsync(context, login);
        _ = await FindAsync(account.Login, context.RequestAborted);
        return await store.ListTokensAsync(account.Login, context.RequestAborted);
    }

    public async Task RevokeTokenAsync(HttpContext context, string login, string id)
    {
        var account = await RequireAccountAsync(context, login);
        if (!await store.DeleteTokenAsync(account.Login, id, context.RequestAborted))
        {
            throw new NotFoundException("token", id);
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
        var created = await store.TryCreateAsync(
            new User
            {
                Login = AdministratorLogin,
                PasswordHash = PasswordHasher.Hash(password),
                Grants = [new Grant(Grant.Everything, AccessAction.All)],
                Created = clock.GetUtcNow(),
            },
            cancellationToken);

        // Another server sharing the store made it first: its password is the one that holds, not ours.
        return !created ? null : generated ? password : string.Empty;
    }

    private async Task<User> FindAsync(string login, CancellationToken cancellationToken) =>
        await store.FindAsync(login, cancellationToken) ?? throw new NotFoundException("user", login);

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
