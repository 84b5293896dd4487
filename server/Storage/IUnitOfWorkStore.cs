namespace Berth.Server.Storage;

/// <summary>Commits a <see cref="UnitOfWork"/>: in one transaction of the metadata store, durable before it returns.</summary>
public interface IUnitOfWorkStore
{
    /// <summary>
    /// Writes, in this order: the saves (a unit stored meanwhile under the same type and key is updated and keeps its
    /// id), the associations, the removals, the name moves, the ends of uploads and the events that report the work
    /// (appended to the outbox, see <see cref="Events.IEventStore"/>). Nothing is written when any of it
    /// fails.
    /// </summary>
    /// <exception cref="Errors.NotFoundException">When a repository to associate a unit with does not exist.</exception>
    /// <exception cref="InvalidOperationException">When a unit to associate is neither saved by the work nor stored.</exception>
    Task<CommittedWork> CommitAsync(UnitOfWork work, CancellationToken cancellationToken);
}
