using Berth.Plugins;
using Berth.Server.Content;
using Berth.Server.Membership;
using Berth.Server.Orphans;
using Berth.Server.Repositories;
using Berth.Server.Storage;
using Berth.Server.Uploads;
using Docker.Common.Digests;

namespace Berth.Server.Imports;

/// <summary>
/// The conduit of one import into one repository. It re-checks what importers hand it (bytes against digests,
/// content before units), so that a faulty importer cannot put unverified bytes at a content path. What the import
/// writes goes into its unit of work, which the import service commits once the importer is done; reads see it.
/// Everything the import is about to reference stays held against orphan collection until the work is disposed,
/// after its commit (see <see cref="ReferenceGuard"/>).
/// </summary>
internal sealed class RepositoryConduit(
    RepositoryId repositoryId,
    IImporter importer,
    UnitOfWork work,
    IContentStore content,
    ImportService imports,
    MembershipService membership,
    ReferenceGuard guard,
    ImportMemoryBudget memoryBudget,
    long prepaidBytes)
    : IImportConduit
{
    private readonly Lock _prepaidLock = new();

    // What the server already holds in memory for this import under a reservation of its own (a pushed manifest):
    // the importer's reservation for those bytes is taken from it, without waiting for room a second time.
    private long _prepaid = prepaidBytes;

    public string RepositoryId => repositoryId.Value;

    public Task<Unit?> FindUnitAsync(string typeId, UnitKey key, CancellationToken cancellationToken) =>
        membership.FindAsync(work, typeId, key, cancellationToken);

    /// <remarks>What the importer finds here it relies on until the import ends: held against removal meanwhile.</remarks>
    public async Task<IReadOnlyList<Unit>> FindRepositoryUnitsAsync(string typeId, IReadOnlyCollection<UnitKey> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        await HoldAsync(keys.Select(k => ReferenceGuard.MemberKey(repositoryId.Value, typeId, k)), cancellationToken);
        return await membership.FindInRepositoryAsync(work, repositoryId, typeId, keys, cancellationToken);
    }

    public async Task<StoredContent> StoreUploadAsync(IUploadedFile upload, string digest, CancellationToken cancellationToken)
    {
        var expected = ParseDigest(digest);
        if (upload is InMemoryUpload inMemory)
        {
            return await StoreContentAsync(inMemory.Content, digest, cancellationToken);
        }

        if (upload is not UploadedFile file)
        {
            throw new ArgumentException("Only an upload handed to the importer by this server can be stored.", nameof(upload));
        }

        var actual = await file.ComputeDigestAsync(expected.Algorithm.Name, cancellationToken);
        if (actual != expected.ToString())
        {
            throw Mismatch(expected, actual);
        }

        await HoldAsync([ReferenceGuard.ContentKey(expected.ToString())], cancellationToken);
        var size = await content.ImportFileAsync(expected, file.Path, cancellationToken);
        return new StoredContent(expected.ToString(), size);
    }

    public async Task<StoredContent> StoreContentAsync(ReadOnlyMemory<byte> bytes, string digest, CancellationToken cancellationToken)
    {
        var expected = ParseDigest(digest);
        var actual = Digest.Compute(bytes.Span, expected.Algorithm);
        if (actual != expected)
        {
            throw Mismatch(expected, actual.ToString());
        }

        await HoldAsync([ReferenceGuard.ContentKey(expected.ToString())], cancellationToken);
        var size = await content.PutAsync(expected, bytes, cancellationToken);
        return new StoredContent(expected.ToString(), size);
    }

    public async Task<Unit> SaveUnitAsync(Unit unit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(unit);
        await HoldAsync(unit.ContentDigest is { } held
            ? [ReferenceGuard.UnitKey(unit.TypeId, unit.Key), ReferenceGuard.ContentKey(held)]
            : [ReferenceGuard.UnitKey(unit.TypeId, unit.Key)], cancellationToken);
        if (unit.ContentDigest is { } digest && await content.SizeAsync(ParseDigest(digest), cancellationToken) is null)
        {
            throw new InvalidOperationException($"Importer bug: unit {unit.TypeId} {unit.Key} names content {digest} that is not stored.");
        }

        return await membership.SaveAsync(work, repositoryId, unit, importer.ReferencesOf(unit), cancellationToken);
    }

    public async Task AssociateAsync(Unit unit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(unit);
        // The unit against collection, and its place here against removal until the import (its tag, say) is done.
        await HoldAsync([ReferenceGuard.UnitKey(unit.TypeId, unit.Key), ReferenceGuard.MemberKey(repositoryId.Value, unit.TypeId, unit.Key)], cancellationToken);
        await membership.AddAsync(work, repositoryId, unit, cancellationToken);
    }

    public async ValueTask<IDisposable> ReserveMemoryAsync(long bytes, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        lock (_prepaidLock)
        {
            if (bytes <= _prepaid)
            {
                _prepaid -= bytes;
                return new PrepaidReservation(this, bytes);
            }
        }

        return await memoryBudget.ReserveAsync(bytes, cancellationToken);
    }

    public Task<Unit> ImportNestedAsync(
        string unitTypeId, Stream content, System.Text.Json.Nodes.JsonObject unitKey, System.Text.Json.Nodes.JsonObject unitMetadata, CancellationToken cancellationToken) =>
        imports.ImportNestedAsync(work, repositoryId, unitTypeId, content, unitKey, unitMetadata, cancellationToken);

    private async Task HoldAsync(IEnumerable<string> keys, CancellationToken cancellationToken) =>
        work.Keep(await guard.HoldAsync(keys, cancellationToken));

    private void ReturnPrepaid(long bytes)
    {
        lock (_prepaidLock)
        {
            _prepaid += bytes;
        }
    }

    private static Digest ParseDigest(string digest) =>
        Digest.TryParse(digest, out var parsed, out var problem) ? parsed : throw new ContentException(ContentError.DigestInvalid, problem);

    private static ContentException Mismatch(Digest expected, string actual) => new(
        ContentError.DigestMismatch,
        $"the bytes hash to {actual}, not to {expected}",
        new System.Text.Json.Nodes.JsonObject { ["expected"] = expected.ToString(), ["actual"] = actual });

    private sealed class PrepaidReservation(RepositoryConduit conduit, long bytes) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                conduit.ReturnPrepaid(bytes);
            }
        }
    }
}
