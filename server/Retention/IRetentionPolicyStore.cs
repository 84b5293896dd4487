using Berth.Server.Repositories;

namespace Berth.Server.Retention;

/// <summary>Each repository's retention policy, if it has one.</summary>
public interface IRetentionPolicyStore
{
    Task<RetentionPolicy?> FindAsync(RepositoryId repositoryId, CancellationToken cancellationToken);

    /// <summary>Sets a repository's policy; <see langword="false"/> when the repository is gone.</summary>
    Task<bool> SaveAsync(RepositoryId repositoryId, RetentionPolicy policy, CancellationToken cancellationToken);

    /// <summary>Removes a repository's policy; <see langword="false"/> when it had none.</summary>
    Task<bool> DeleteAsync(RepositoryId repositoryId, CancellationToken cancellationToken);

    /// <summary>The repositories that have a policy, with it.</summary>
    Task<IReadOnlyList<(RepositoryId Repository, RetentionPolicy Policy)>> ListAsync(CancellationToken cancellationToken);
}
