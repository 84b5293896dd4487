namespace Berth.Plugins;

/// <summary>What the server lets a sync importer do to the repository it syncs.</summary>
public interface ISyncConduit
{
    /// <summary>The id of the repository being synced.</summary>
    string RepositoryId { get; }

    /// <summary>
    /// Runs one import, all or nothing: what <paramref name="import"/> does through the conduit it is given (nested imports of
    /// the bits it fetched, associations of units the server already holds) is committed together when it returns, and
    /// none of it when it throws or is cancelled. Make one per image, so that a repository never holds half of one.
    /// </summary>
    /// <returns>What <paramref name="import"/> answered.</returns>
    Task<T> ImportAsync<T>(Func<IImportConduit, CancellationToken, Task<T>> import, CancellationToken cancellationToken);

    /// <summary>The units of one type associated with the repository (the tags it holds, say), in no particular order.</summary>
    Task<IReadOnlyList<Unit>> ListRepositoryUnitsAsync(string typeId, CancellationToken cancellationToken);

    /// <summary>
    /// Removes names (tags) from the repository and, as the repository's retention would, what only they named there: a
    /// manifest or list that no remaining name or list needs, the manifests only such a list brought, their referrers, and
    /// the blobs nothing that stays needs. A mirroring sync calls it for the names its feed no longer has.
    /// </summary>
    /// <param name="names">The names, as a name unit's name field holds them; those the repository does not hold are passed over.</param>
    /// <param name="cancellationToken">Ends the wait.</param>
    /// <returns>Every unit removed, names included.</returns>
    Task<IReadOnlyList<Unit>> RemoveNamesAsync(IReadOnlyCollection<string> names, CancellationToken cancellationToken);

    /// <summary>
    /// Reads bits from the feed once, however many ask for them at once: a download of <paramref name="digest"/> for this
    /// repository already under way (a client pulling it through the cache, another image of the same sync) is joined, and
    /// only otherwise does <paramref name="open"/> start one. The bits are checked against the digest as they arrive; the
    /// last of them is held back until they match.
    /// </summary>
    /// <param name="digest">The bits' digest, <c>algorithm:hex</c>.</param>
    /// <param name="open">Starts the download, when none is under way.</param>
    /// <param name="cancellationToken">Ends this reader's wait; the download goes on while anyone else reads it.</param>
    Task<FeedContent> ReadFeedContentAsync(string digest, Func<CancellationToken, Task<FeedContent>> open, CancellationToken cancellationToken);
}
