using Berth.Plugins;
using Berth.Server.Imports;
using Berth.Server.Plugins;
using Berth.Server.PullThrough;
using Berth.Server.Repositories;
using Berth.Server.Retention;
using Berth.Server.Units;
using Docker.Common.Digests;

namespace Berth.Server.Sync;

/// <summary>
/// The conduit of one sync into one repository: each import it runs is one unit of work through the import service, so
/// that what a sync brings passes the same importers and checks as an upload or a push of it.
/// </summary>
internal sealed class SyncConduit(
    RepositoryId repositoryId, LoadedImporter importer, ImportService imports, IUnitStore units, RetentionService retention, FeedDownloads downloads)
    : ISyncConduit
{
    public string RepositoryId => repositoryId.Value;

    public Task<T> ImportAsync<T>(Func<IImportConduit, CancellationToken, Task<T>> import, CancellationToken cancellationToken) =>
        imports.ImportAsOneAsync(repositoryId, importer, import, cancellationToken);

    public async Task<IReadOnlyList<Unit>> ListRepositoryUnitsAsync(string typeId, CancellationToken cancellationToken) =>
        [.. (await units.SearchAsync(repositoryId, new UnitCriteria([typeId], 0, null), cancellationToken)).Select(u => u.Unit)];

    public Task<IReadOnlyList<Unit>> RemoveNamesAsync(IReadOnlyCollection<string> names, CancellationToken cancellationToken) =>
        retention.RemoveNamesAsync(repositoryId, names, "sync.mirror", cancellationToken);

    public Task<FeedContent> ReadFeedContentAsync(string digest, Func<CancellationToken, Task<FeedContent>> open, CancellationToken cancellationToken) =>
        Digest.TryParse(digest, out var parsed, out var problem)
            ? downloads.ReadAsync(repositoryId.Value, parsed, open, cancellationToken)
            : throw new ContentException(ContentError.DigestInvalid, $"the importer asked to read {digest} from its feed: {problem}");
}
