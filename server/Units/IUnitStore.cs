using Berth.Plugins;
using Berth.Server.Criteria;
using Berth.Server.Repositories;

namespace Berth.Server.Units;

/// <summary>
/// Where units and their associations with repositories are kept; they are written by units of work (see
/// <see cref="Storage.IUnitOfWorkStore"/>). Units it returns may be shared with other callers (a store may cache
/// them): read them, never change them.
/// </summary>
public interface IUnitStore
{
    Task<Unit?> FindAsync(string typeId, UnitKey key, CancellationToken cancellationToken);

    /// <summary>Those of the given units that are associated with the repository.</summary>
    Task<IReadOnlyList<Unit>> FindInRepositoryAsync(
        RepositoryId repositoryId, string typeId, IReadOnlyCollection<UnitKey> keys, CancellationToken cancellationToken);

    /// <summary>
    /// The unit, when it is associated with the repository, and those of the units it references
    /// (<see cref="Unit.References"/>) that are associated with the repository too, in one lookup: what a name points at
    /// (a tag and its manifest) is found with the name.
    /// </summary>
    Task<UnitWithReferenced?> FindWithReferencedAsync(RepositoryId repositoryId, string typeId, UnitKey key, CancellationToken cancellationToken);

    Task<IReadOnlyList<RepositoryUnit>> SearchAsync(RepositoryId repositoryId, UnitCriteria criteria, CancellationToken cancellationToken);

    /// <summary>
    /// Units of one type, whatever repositories hold them, chosen and ordered by a criteria over their documents
    /// (<see cref="UnitResponse.Document"/>), then by when they were first stored.
    /// </summary>
    Task<IReadOnlyList<StoredUnit>> SearchByTypeAsync(string typeId, SearchCriteria criteria, CancellationToken cancellationToken);

    /// <summary>One unit of a type by its id, whatever repositories hold it; <see langword="null"/> when there is none.</summary>
    Task<StoredUnit?> FindByIdAsync(string typeId, string unitId, CancellationToken cancellationToken);

    /// <summary>The ids of the repositories that hold each of the units (a unit in none is left out).</summary>
    Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> RepositoriesOfAsync(IReadOnlyCollection<string> unitIds, CancellationToken cancellationToken);

    /// <summary>
    /// Stores references for the units stored before references were kept, as <paramref name="referencesOf"/> gives
    /// them (<see langword="null"/>: not known yet, left for a later start); returns how many units it changed.
    /// </summary>
    Task<int> AddMissingReferencesAsync(Func<Unit, IReadOnlyList<UnitReference>?> referencesOf, CancellationToken cancellationToken);

    /// <summary>When a unit was last added to the repository, if ever.</summary>
    Task<DateTimeOffset?> LastAddedAsync(RepositoryId repositoryId, CancellationToken cancellationToken);

    /// <summary>How many units of each type the repository holds.</summary>
    Task<IReadOnlyDictionary<string, long>> CountByTypeAsync(RepositoryId repositoryId, CancellationToken cancellationToken);
}
