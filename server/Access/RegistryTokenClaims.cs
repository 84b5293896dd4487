namespace Berth.Server.Access;

/// <summary>What a valid registry token says: whose it is, what it was issued for, and from which credential.</summary>
public sealed record RegistryTokenClaims(string? Login, RegistryTokenAccess Access, string? CredentialId);
