namespace Berth.Server.Access;

/// <summary>A person or robot who may sign in, with what they may do.</summary>
public sealed record User
{
    public required string Login { get; init; }

    /// <summary>The password as <see cref="PasswordHasher"/> stores it; never the password itself.</summary>
    public required string PasswordHash { get; init; }

    public IReadOnlyList<Grant> Grants { get; init; } = [];

    public DateTimeOffset Created { get; init; }

    public bool IsAdministrator => Grants.Any(g => g.IsGlobalAdmin);
}
