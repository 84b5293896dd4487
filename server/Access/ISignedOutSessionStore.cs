namespace Berth.Server.Access;

/// <summary>
/// Web UI sessions signed out before they expire. A session is a signed token that any replica sharing the signing
/// key accepts, so signing out must be written where every replica reads: a copy of the cookie taken before is then
/// refused everywhere at once. An entry is needed only until the session would have expired anyway.
/// </summary>
public interface ISignedOutSessionStore
{
    /// <summary>Records that the session <paramref name="id"/> (which would expire at <paramref name="expires"/>) is signed out; forgets entries whose sessions have expired by <paramref name="now"/>.</summary>
    Task SignOutAsync(string id, DateTimeOffset expires, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Whether the session <paramref name="id"/> was signed out.</summary>
    Task<bool> IsSignedOutAsync(string id, CancellationToken cancellationToken);
}
