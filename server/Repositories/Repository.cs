using Docker.Common.References;

namespace Berth.Server.Repositories;

/// <summary>A named collection of units, with the importers registered on it.</summary>
public sealed record Repository
{
    public required RepositoryId Id { get; init; }

    public required string DisplayName { get; init; }

    public string? Description { get; init; }

    public IReadOnlyDictionary<string, string> Notes { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// The name the registry API serves the repository under (<c>/v2/NAME/</c>), unique among repositories;
    /// none when the repository is not served by the registry (Pulp's <c>repo-registry-id</c>).
    /// </summary>
    public RegistryName? RegistryName { get; init; }

    /// <summary>Whether anyone, signed in or not, may pull from the repository.</summary>
    public bool AnonymousPull { get; init; }

    public DateTimeOffset Created { get; init; }
}
