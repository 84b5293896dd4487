using Berth.Server.Repositories;

namespace Berth.Server.TagHistory;

/// <summary>
/// Where tag moves are kept, forever (they are small), per repository and tag; units of work append them (see
/// <see cref="Storage.IUnitOfWorkStore"/>).
/// </summary>
public interface ITagHistoryStore
{
    /// <summary>The moves of one tag, newest first.</summary>
    Task<IReadOnlyList<TagMove>> ListAsync(RepositoryId repository, string tag, CancellationToken cancellationToken);
}
