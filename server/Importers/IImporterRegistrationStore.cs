using Berth.Server.Repositories;

namespace Berth.Server.Importers;

/// <summary>Where importer registrations are kept.</summary>
public interface IImporterRegistrationStore
{
    Task<IReadOnlyList<ImporterRegistration>> ListAsync(RepositoryId repositoryId, CancellationToken cancellationToken);

    /// <summary>
    /// Adds a registration unless the repository is gone, the importer is already registered there, or
    /// <paramref name="conflictsWith"/> says an existing registration claims one of its unit types; all checked
    /// in the same step as the write, so two concurrent registrations cannot both win.
    /// </summary>
    Task<ImporterRegistrationOutcome> TryAddAsync(
        ImporterRegistration registration,
        Func<ImporterRegistration, bool> conflictsWith,
        CancellationToken cancellationToken);

    /// <summary>
    /// Writes the configs <paramref name="change"/> makes of a repository's registrations (those it returns), read and
    /// written in one step, so that two changes at once cannot lose one; what it throws leaves every config as it was.
    /// </summary>
    /// <returns>The registrations written.</returns>
    Task<IReadOnlyList<ImporterRegistration>> ChangeConfigsAsync(
        RepositoryId repositoryId, Func<IReadOnlyList<ImporterRegistration>, IReadOnlyList<ImporterRegistration>> change, CancellationToken cancellationToken);

    /// <summary>Removes a registration; <see langword="false"/> when there was none.</summary>
    Task<bool> RemoveAsync(RepositoryId repositoryId, string importerTypeId, CancellationToken cancellationToken);
}
