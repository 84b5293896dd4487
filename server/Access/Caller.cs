using Berth.Server.Repositories;

namespace Berth.Server.Access;

/// <summary>
/// Who made a request and what they may do. A signed-in user may do what their grants allow, narrowed by the
/// scope of the API token they signed in with; a registry bearer token narrows further to the access it was
/// issued for, and is checked against the user's grants and token as they are now, not as they were when it was
/// issued. Anyone may pull repositories marked for anonymous pull.
/// </summary>
public sealed record Caller
{
    public static Caller Anonymous { get; } = new() { Login = null, Grants = [], Credential = CredentialKind.None };

    /// <summary>The user's login; <see langword="null"/> for an anonymous caller.</summary>
    public required string? Login { get; init; }

    /// <summary>The user's grants, as stored now.</summary>
    public required IReadOnlyList<Grant> Grants { get; init; }

    public required CredentialKind Credential { get; init; }

    /// <summary>The API token signed in with, directly or behind a registry token: nothing beyond its scope is allowed.</summary>
    public ApiToken? Token { get; init; }

    /// <summary>For a registry bearer token: the access it was issued for.</summary>
    public RegistryTokenAccess? Registry { get; init; }

    /// <summary>
    /// Names the credential a registry token is issued from (a password's stamp or an API token's id), so that a
    /// changed password or a revoked token ends the registry tokens issued from it.
    /// </summary>
    public string? CredentialId { get; init; }

    public bool IsAuthenticated => Login is not null;

    /// <summary>Whose uploads the caller may see and use: their own, or everyone's (null) for an administrator.</summary>
    public string? UploadOwner => IsAdministrator ? null : Login;

    /// <summary>An administrator manages users: a password or an API token scoped to admin on everything, never a registry token.</summary>
    public bool IsAdministrator =>
        Credential is CredentialKind.Password or CredentialKind.ApiToken && Grants.Any(g => g.IsGlobalAdmin) && (Token is null || Token.Scope.Any(g => g.IsGlobalAdmin));

    /// <summary>Whether the caller may manage their own account (password, tokens): with the password, or a token whose scope says so.</summary>
    public bool MayManageOwnAccount =>
        Credential == CredentialKind.Password || (Credential == CredentialKind.ApiToken && Token is { Account: true });

    /// <summary>
    /// Whether the caller may push to some repository, which uploads are for: a grant with push that the API token's
    /// scope (if any) also allows somewhere, and that a registry token (if any) carries.
    /// </summary>
    public bool MayPushSomewhere =>
        Grants.Any(g => g.Actions.HasFlag(AccessAction.Push)) &&
        (Token is null || Token.Scope.Any(g => g.Actions.HasFlag(AccessAction.Push))) &&
        (Registry is null || Registry.Repositories.Values.Any(a => a.HasFlag(AccessAction.Push)));

    /// <summary>What the caller may do on a repository (which may not exist yet: then only its registry name is known).</summary>
    public AccessAction AllowedOn(RepositoryId? id, string? registryName, bool anonymousPull)
    {
        var anonymous = anonymousPull ? AccessAction.Pull : AccessAction.None;
        var issued = Registry is null ? AccessAction.All : Registry.On(registryName);
        return ReachableOn(id, registryName) & issued | anonymous;
    }

    public AccessAction AllowedOn(Repository repository)
    {
        ArgumentNullException.ThrowIfNull(repository);
        return AllowedOn(repository.Id, repository.RegistryName?.Value, repository.AnonymousPull);
    }

    /// <summary>
    /// What the user's grants and API token allow, whatever a registry token was issued for: to tell "ask for a
    /// better token" from "denied", and what the catalog lists.
    /// </summary>
    public AccessAction ReachableOn(RepositoryId? id, string? registryName) =>
        ByGrants(Grants, id, registryName) & (Token is null ? AccessAction.All : ByGrants(Token.Scope, id, registryName));

    /// <summary>What the caller may do on a repository by its id alone: with <see cref="AllowedOnName"/>, what creating one needs.</summary>
    public AccessAction AllowedOnId(RepositoryId id) => AllowedOn(id, null, anonymousPull: false);

    /// <summary>What the caller may do on whatever repository holds a registry name, judged by the name alone.</summary>
    public AccessAction AllowedOnName(string registryName) => AllowedOn(null, registryName, anonymousPull: false);

    private static AccessAction ByGrants(IEnumerable<Grant> grants, RepositoryId? id, string? registryName) =>
        grants
            .Where(g => (id is { } repositoryId && g.Matches(repositoryId.Value)) || (registryName is not null && g.Matches(registryName)))
            .Aggregate(AccessAction.None, (all, g) => all | g.Actions);
}
