namespace Berth.Server.Access;

/// <summary>
/// What a valid registry token says: whose it is, what it was issued for, and from which credential; its own id
/// (<c>jti</c>) and when it expires, by which one token can be ended before then.
/// </summary>
public sealed record RegistryTokenClaims(string? Login, RegistryTokenAccess Access, string? CredentialId, string Id, DateTimeOffset Expires);
