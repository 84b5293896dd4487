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

    public required IReadOnlyList<Grant> Scope { get; init; }

    public DateTimeOffset Created { get; init; }
}
