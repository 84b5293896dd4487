namespace Berth.Server.Access;

/// <summary>
/// Proof that the caller may manage the account <see cref="Login"/>: its user with a credential that may manage
/// their account, or an administrator. Obtained before the request's body is read; what the users API does to an
/// account takes one.
/// </summary>
public sealed record AccountAccess(Caller Caller, string Login)
{
    /// <summary>Whether the account is the caller's own.</summary>
    public bool IsOwn => Caller.Login == Login;
}
