using Berth.Server.Repositories;

namespace Berth.Server.TagHistory;

/// <summary>Where tag moves are kept, forever (they are small), per repository and tag.</summary>
public interface ITagHistoryStore
{
    Task AppendAsync(TagMove move, CancellationToken cancellationToken);

    /// <summary>The moves of one tag, newest first.</summary>
    Task<IReadOnlyList<TagMove>> ListAsync(RepositoryId repository, string tag, CancellationToken cancellationToken);
}
