using Berth.Plugins;
using Berth.Server.Repositories;

namespace Berth.Server.Units;

/// <summary>
/// Where units and their associations with repositories are kept. Units it returns may be shared with other
/// callers (a store may cache them): read them, never change them.
/// </summary>
public interface IUnitStore
{
    Task<Unit?> FindAsync(string typeId, UnitKey key, CancellationToken cancellationToken);

    /// <summary>Those of the given units that are associated with the repository.</summary>
    Task<IReadOnlyList<Unit>> FindInRepositoryAsync(
        RepositoryId repositoryId, string typeId, IReadOnlyCollection<UnitKey> keys, CancellationToken cancellationToken);

    /// <summary>Inserts a unit, or updates the metadata of the one with the same type and key; returns it with its id.</summary>
    Task<Unit> SaveAsync(Unit unit, CancellationToken cancellationToken);

    /// <summary>Associates a saved unit with a repository; <see langword="false"/> when the repository is gone.</summary>
    Task<bool> AssociateAsync(RepositoryId repositoryId, Unit unit, CancellationToken cancellationToken);

    /// <summary>Removes units from a repository (the units stay, for other repositories and orphan cleanup); returns how many were in it.</summary>
    Task<int> UnassociateAsync(RepositoryId repositoryId, IReadOnlyCollection<string> unitIds, CancellationToken cancellationToken);

    Task<IReadOnlyList<RepositoryUnit>> SearchAsync(RepositoryId repositoryId, UnitCriteria criteria, CancellationToken cancellationToken);

    /// <summary>
    /// Stores references for the units stored before references were kept, as <paramref name="referencesOf"/> gives
    /// them (<see langword="null"/>: not known yet, left for a later start); returns how many units it changed.
    /// </summary>
    Task<int> AddMissingReferencesAsync(Func<Unit, IReadOnlyList<UnitReference>?> referencesOf, CancellationToken cancellationToken);

    /// <summary>How many units of each type the repository holds.</summary>
    Task<IReadOnlyDictionary<string, long>> CountByTypeAsync(RepositoryId repositoryId, CancellationToken cancellationToken);
}
