using Berth.Server.Importers;
using Docker.Common.References;

namespace Berth.Server.Repositories;

/// <summary>Where repositories are kept. Ids and registry names are each unique, checked as part of every write.</summary>
public interface IRepositoryStore
{
    /// <summary>
    /// Creates a repository, with the importers given registered on it, in one step, unless its id or registry name
    /// is taken: a crash never leaves it with some of them.
    /// </summary>
    Task<RepositoryWriteOutcome> TryCreateAsync(Repository repository, IReadOnlyList<ImporterRegistration> importers, CancellationToken cancellationToken);

    /// <summary>Replaces a repository's description (everything but its id and creation time) unless its new registry name is taken.</summary>
    Task<RepositoryWriteOutcome> TryUpdateAsync(Repository repository, CancellationToken cancellationToken);

    Task<Repository?> FindAsync(RepositoryId id, CancellationToken cancellationToken);

    Task<Repository?> FindByRegistryNameAsync(RegistryName name, CancellationToken cancellationToken);

    Task<IReadOnlyList<Repository>> ListAsync(CancellationToken cancellationToken);

    /// <summary>
    /// At most <paramref name="limit"/> repositories, in the order of their ids (ordinal), after <paramref name="after"/>
    /// (from the first when <see langword="null"/>): a page read by its own bounds, for lists that show a few.
    /// </summary>
    Task<IReadOnlyList<Repository>> ListAsync(RepositoryId? after, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes a repository with its importer registrations and content associations, in one step. The units
    /// themselves stay, for orphan cleanup. <see langword="false"/> when there was no such repository.
    /// </summary>
    Task<bool> DeleteAsync(RepositoryId id, CancellationToken cancellationToken);
}
