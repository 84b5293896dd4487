using Berth.Server.Repositories;

namespace Berth.Server.Sync;

/// <summary>Where sync schedules are kept; they go with their repository.</summary>
public interface ISyncScheduleStore
{
    /// <summary>Stores a new schedule; false when its repository does not exist.</summary>
    Task<bool> AddAsync(SyncSchedule schedule, CancellationToken cancellationToken);

    /// <summary>The schedules of one repository, or of every one.</summary>
    Task<IReadOnlyList<SyncSchedule>> ListAsync(RepositoryId? repositoryId, CancellationToken cancellationToken);

    /// <summary>Replaces a schedule; false when there is none with its id in its repository.</summary>
    Task<bool> UpdateAsync(SyncSchedule schedule, CancellationToken cancellationToken);

    Task<bool> DeleteAsync(RepositoryId repositoryId, string id, CancellationToken cancellationToken);
}
