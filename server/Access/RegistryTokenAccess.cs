namespace Berth.Server.Access;

/// <summary>
/// What a registry bearer token was issued for, by scope type: repositories by registry name, and the catalog.
/// Kept apart so that a repository named <c>catalog</c> gains nothing from the catalog scope, and back.
/// </summary>
public sealed record RegistryTokenAccess(IReadOnlyDictionary<string, AccessAction> Repositories, bool Catalog)
{
    public static RegistryTokenAccess None { get; } = new(new Dictionary<string, AccessAction>(StringComparer.Ordinal), Catalog: false);

    public AccessAction On(string? registryName) =>
        registryName is not null && Repositories.TryGetValue(registryName, out var granted) ? granted : AccessAction.None;
}
