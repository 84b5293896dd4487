namespace Berth.Server.Access;

/// <summary>
/// A token a user created for a machine (CI, a robot account): it signs in as the user, with at most the scope
/// it was given and never more than the user may do, until it expires or is revoked. Only its hash is kept.
/// </summary>
public sealed record ApiToken
{
    public required string Id { get; init; }

    public required string Login { get; init; }

    public required string Name { get; init; }

    /// <summary>SHA-256 of the secret part, hex; the secret itself is shown once, at creation.</summary>
    public required string SecretHash { get; init; }

    public required DateTimeOffset Expires { get; init; }

    /// <summary>The repositories the token reaches, and what it may do there, within its user's grants.</summary>
    public required IReadOnlyList<Grant> Scope { get; init; }

    /// <summary>
    /// Whether the token may manage its user's tokens: list them, create ones within its own scope, revoke them.
    /// Off unless asked for: a robot's token should not be able to mint others. No token changes its user's password.
    /// </summary>
    public bool Account { get; init; }

    public DateTimeOffset Created { get; init; }

    /// <summary>Whether the scope <paramref name="outer"/> reaches all that <paramref name="inner"/> does: a token may only make tokens within its own scope.</summary>
    public static bool ScopeCovers(IReadOnlyList<Grant> outer, IReadOnlyList<Grant> inner)
    {
        ArgumentNullException.ThrowIfNull(outer);
        ArgumentNullException.ThrowIfNull(inner);
        return inner.All(wanted => outer.Any(held => held.Covers(wanted)));
    }
}
