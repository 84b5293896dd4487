using Berth.Server.Repositories;

namespace Berth.Server.Access;

/// <summary>
/// Who made a request and what they may do. A signed-in user may do what their grants allow, narrowed by the
/// scope of the API token they signed in with; a registry bearer token carries the exact access it was issued
/// for. Anyone may pull repositories marked for anonymous pull.
/// </summary>
public sealed record Caller
{
    public static Caller Anonymous { get; } = new() { Login = null, Grants = [] };

    /// <summary>The user's login; <see langword="null"/> for an anonymous caller.</summary>
    public required string? Login { get; init; }

    /// <summary>The user's grants.</summary>
    public required IReadOnlyList<Grant> Grants { get; init; }

    /// <summary>The API token's scope, when the caller signed in with one: nothing beyond it is allowed.</summary>
    public IReadOnlyList<Grant>? TokenScope { get; init; }

    /// <summary>For a registry bearer token: the access it carries, by registry name.</summary>
    public IReadOnlyDictionary<string, AccessAction>? BearerAccess { get; init; }

    public bool IsAuthenticated => Login is not null;

    /// <summary>Whose uploads the caller may see and use: their own, or everyone's (null) for an administrator.</summary>
    public string? UploadOwner => IsAdministrator ? null : Login;

    public bool IsAdministrator => BearerAccess is null && Grants.Any(g => g.IsGlobalAdmin) && (TokenScope is null || TokenScope.Any(g => g.IsGlobalAdmin));

    /// <summary>What the caller may do on a repository (which may not exist yet: then only its registry name is known).</summary>
    public AccessAction AllowedOn(RepositoryId? id, string? registryName, bool anonymousPull)
    {
        var anonymous = anonymousPull ? AccessAction.Pull : AccessAction.None;
        if (BearerAccess is not null)
        {
            return (registryName is not null && BearerAccess.TryGetValue(registryName, out var granted) ? granted : AccessAction.None) | anonymous;
        }

        return ByGrants(Grants, id, registryName) & (TokenScope is null ? AccessAction.All : ByGrants(TokenScope, id, registryName)) | anonymous;
    }

    public AccessAction AllowedOn(Repository repository)
    {
        ArgumentNullException.ThrowIfNull(repository);
        return AllowedOn(repository.Id, repository.RegistryName?.Value, repository.AnonymousPull);
    }

    /// <summary>What the user's own grants allow, whatever the token: to tell "ask for a better token" from "denied".</summary>
    public AccessAction UserAllowedOn(RepositoryId? id, string? registryName) => ByGrants(Grants, id, registryName);

    private static AccessAction ByGrants(IEnumerable<Grant> grants, RepositoryId? id, string? registryName) =>
        grants
            .Where(g => (id is { } repositoryId && g.Matches(repositoryId.Value)) || (registryName is not null && g.Matches(registryName)))
            .Aggregate(AccessAction.None, (all, g) => all | g.Actions);
}
