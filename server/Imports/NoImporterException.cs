using Berth.Server.Repositories;

namespace Berth.Server.Imports;

/// <summary>A repository has no importer for a unit type it was asked to take.</summary>
public sealed class NoImporterException(RepositoryId repositoryId, string unitTypeId, IReadOnlyList<string> registered, IReadOnlyList<string> candidates)
    : Exception(
        $"repository '{repositoryId}' has {(registered.Count == 0 ? "no importers" : "only " + string.Join(", ", registered))}, none of which imports {unitTypeId}; " +
        $"register {string.Join(" or ", candidates)} on it with POST /pulp/api/v2/repositories/{repositoryId}/importers/")
{
    public RepositoryId RepositoryId { get; } = repositoryId;

    public string UnitTypeId { get; } = unitTypeId;

    /// <summary>The importers the repository has.</summary>
    public IReadOnlyList<string> Registered { get; } = registered;
}
