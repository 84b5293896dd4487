namespace Berth.Server.Access;

/// <summary>The configured token signing key cannot be read: the server stops at start, saying how to make one.</summary>
public sealed class TokenSigningKeyException(string message) : Exception(message);
