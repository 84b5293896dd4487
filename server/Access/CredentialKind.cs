namespace Berth.Server.Access;

/// <summary>What a caller signed in with; it decides how far their user's grants reach.</summary>
public enum CredentialKind
{
    /// <summary>No credentials: only repositories open for anonymous pull.</summary>
    None,

    /// <summary>The user's password: everything the user's grants allow, their account included.</summary>
    Password,

    /// <summary>An API token: the user's grants narrowed to the token's scope; the account only if the scope says so.</summary>
    ApiToken,

    /// <summary>A registry bearer token: only the registry access it was issued for, never the account or the content API.</summary>
    RegistryToken,
}
