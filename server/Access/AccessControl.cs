using Berth.Server.Repositories;
using Docker.Common.References;

namespace Berth.Server.Access;

/// <summary>
/// The checks endpoints make: who the caller is (signed in once per request) and whether they may do an action
/// on a repository. A refusal says whether signing in (or a better token) would help, or nothing would.
/// </summary>
public sealed class AccessControl(Authenticator authenticator)
{
    private static readonly object CallerKey = new();

    public async Task<Caller> CallerAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Items.TryGetValue(CallerKey, out var known) && known is Caller caller)
        {
            return caller;
        }

        caller = await authenticator.AuthenticateAsync(context);
        context.Items[CallerKey] = caller;
        return caller;
    }

    /// <summary>The caller, if signed in; anonymous callers are asked to sign in.</summary>
    public async Task<Caller> RequireSignedInAsync(HttpContext context, RegistryScope? scope = null)
    {
        var caller = await CallerAsync(context);
        return caller.IsAuthenticated ? caller : throw new AccessDeniedException(AccessFailure.Unauthenticated, "sign in first: this needs credentials", scope);
    }

    public async Task<Caller> RequireAdministratorAsync(HttpContext context)
    {
        var caller = await RequireSignedInAsync(context);
        return caller.IsAdministrator
            ? caller
            : throw new AccessDeniedException(AccessFailure.Forbidden, "only an administrator (a user with admin on '*') may do this");
    }

    public Task<Caller> RequireAsync(HttpContext context, AccessAction action, Repository repository)
    {
        ArgumentNullException.ThrowIfNull(repository);
        return RequireAsync(context, action, repository.Id, repository.RegistryName?.Value, repository.AnonymousPull);
    }

    /// <summary>Checks an action on a repository that may not exist yet (a first push to a registry name).</summary>
    public async Task<Caller> RequireAsync(HttpContext context, AccessAction action, RepositoryId? id, string? registryName, bool anonymousPull = false)
    {
        var caller = await CallerAsync(context);
        if (caller.AllowedOn(id, registryName, anonymousPull).HasFlag(action))
        {
            return caller;
        }

        var subject = registryName ?? id?.Value ?? "this repository";
        var scope = registryName is not null && RegistryName.TryParse(registryName, out _, out _)
            ? new RegistryScope(RegistryScope.Repository, registryName, action)
            : null;
        var name = AccessActions.Names(action)[0];
        if (!caller.IsAuthenticated)
        {
            throw new AccessDeniedException(AccessFailure.Unauthenticated, $"sign in to {name} {subject}", scope);
        }

        // A registry token carries only what was asked for: when the user may do more, a new token will do.
        if (caller.BearerAccess is not null && caller.UserAllowedOn(id, registryName).HasFlag(action))
        {
            throw new AccessDeniedException(AccessFailure.Unauthenticated, $"the token does not grant {name} on {subject}; ask for a token with that scope", scope);
        }

        throw new AccessDeniedException(AccessFailure.Forbidden, $"{caller.Login} may not {name} {subject}");
    }
}
