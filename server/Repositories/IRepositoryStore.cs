namespace Berth.Server.Repositories;

/// <summary>Where repositories are kept.</summary>
public interface IRepositoryStore
{
    /// <summary>Creates a repository; <see langword="false"/> when one with its id exists.</summary>
    Task<bool> TryCreateAsync(Repository repository, CancellationToken cancellationToken);

    Task<Repository?> FindAsync(RepositoryId id, CancellationToken cancellationToken);

    Task<IReadOnlyList<Repository>> ListAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Deletes a repository with its importer registrations and content associations, in one step. The units
    /// themselves stay, for orphan cleanup. <see langword="false"/> when there was no such repository.
    /// </summary>
    Task<bool> DeleteAsync(RepositoryId id, CancellationToken cancellationToken);
}
