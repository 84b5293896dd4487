using Berth.Server.Errors;
using Berth.Server.Repositories;
using Docker.Common.References;

namespace Berth.Server.Access;

/// <summary>
/// The checks endpoints make: who the caller is (signed in once per request) and whether they may do an action
/// on a repository. A refusal says whether signing in (or a better token) would help, or nothing would.
/// </summary>
public sealed class AccessControl(Authenticator authenticator, RepositoryService repositories)
{
    private static readonly object CallerKey = new();

    /// <summary>The caller, if the request was signed in so far (the request log asks once it is served); never signs in itself.</summary>
    public static Caller? KnownCaller(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Items.TryGetValue(CallerKey, out var known) ? known as Caller : null;
    }

    /// <summary>
    /// Makes <paramref name="caller"/> the request's caller without reading its Authorization header: the web UI signs
    /// its requests in from its session cookie, and every check after that is the same as for the APIs.
    /// </summary>
    public static void SignInAs(HttpContext context, Caller caller)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Items[CallerKey] = caller;
    }

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

    /// <summary>
    /// The repository a content-API address names, for a caller who may do <paramref name="action"/> on it. A
    /// repository the caller may do nothing on answers exactly as one that does not exist: 404 when signed in,
    /// 401 when not; only a repository they can see may be refused with 403.
    /// </summary>
    public async Task<Repository> RepositoryAsync(HttpContext context, string id, AccessAction action)
    {
        var caller = await CallerAsync(context);
        var repository = await repositories.FindAsync(id, context.RequestAborted);
        if (repository is null || caller.AllowedOn(repository) == AccessAction.None)
        {
            throw caller.IsAuthenticated
                ? new NotFoundException("repository", id)
                : new AccessDeniedException(AccessFailure.Unauthenticated, $"sign in to {AccessActions.Names(action)[0]} repository {id}");
        }

        await RequireAsync(context, action, repository);
        return repository;
    }

    /// <summary>
    /// Checks that the caller may do <paramref name="action"/> on a repository that is to be created with this id
    /// and registry name, or to take this name: on the id by itself and on the name by itself, so that no one
    /// places a repository under a name (or an id) that someone else's grants cover.
    /// </summary>
    public async Task<Caller> RequireForNewRepositoryAsync(HttpContext context, AccessAction action, RepositoryId? id, RegistryName? registryName)
    {
        var caller = await RequireSignedInAsync(context);
        var name = AccessActions.Names(action)[0];
        if (id is { } repositoryId && !caller.AllowedOnId(repositoryId).HasFlag(action))
        {
            throw new AccessDeniedException(AccessFailure.Forbidden, $"{caller.Login} may not {name} a repository with id {repositoryId}");
        }

        if (registryName is { } registry && !caller.AllowedOnName(registry.Value).HasFlag(action))
        {
            throw new AccessDeniedException(AccessFailure.Forbidden, $"{caller.Login} may not {name} a repository with registry name {registry}");
        }

        return caller;
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
        if (caller.Registry is not null && caller.ReachableOn(id, registryName).HasFlag(action))
        {
            throw new AccessDeniedException(AccessFailure.Unauthenticated, $"the token does not grant {name} on {subject}; ask for a token with that scope", scope);
        }

        throw new AccessDeniedException(AccessFailure.Forbidden, $"{caller.Login} may not {name} {subject}");
    }
}
