namespace Berth.Server.Orphans;

/// <summary>Finding and deleting units that are in no repository.</summary>
public interface IOrphanStore
{
    /// <summary>
    /// Scans up to <paramref name="scan"/> units after <paramref name="after"/> (in the store's order) and
    /// returns the orphans among them, of <paramref name="typeId"/> when given.
    /// </summary>
    Task<OrphanPage> PageAsync(string? typeId, string? after, int scan, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes, in one transaction, those of the units that are still orphans and have been since before
    /// <paramref name="orphanedBefore"/>; anything associated or imported meanwhile stays. Returns what it deleted.
    /// </summary>
    Task<IReadOnlyList<Orphan>> DeleteAsync(IReadOnlyCollection<Orphan> orphans, DateTimeOffset orphanedBefore, CancellationToken cancellationToken);

    /// <summary>Whether other writes are waiting for the store now: a collection then leaves them room.</summary>
    bool IsBusy { get; }

    /// <summary>The content digests starting with <paramref name="prefix"/> that some unit names.</summary>
    Task<IReadOnlySet<string>> NamedDigestsAsync(string prefix, CancellationToken cancellationToken);
}
