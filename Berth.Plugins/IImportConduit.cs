namespace Berth.Plugins;

/// <summary>
/// What the server lets an importer do during one import into one repository (Pulp 2's conduit). An importer
/// touches storage and units only through it.
/// </summary>
public interface IImportConduit
{
    /// <summary>The id of the repository the import is for.</summary>
    string RepositoryId { get; }

    /// <summary>Finds a unit by type and key, whichever repositories it is associated with.</summary>
    Task<Unit?> FindUnitAsync(string typeId, UnitKey key, CancellationToken cancellationToken);

    /// <summary>Finds those of the given units that are associated with this repository.</summary>
    /// <returns>The units found; a key without a unit in this repository is simply absent.</returns>
    Task<IReadOnlyList<Unit>> FindRepositoryUnitsAsync(string typeId, IReadOnlyCollection<UnitKey> keys, CancellationToken cancellationToken);

    /// <summary>
    /// Moves the upload's bits into content storage under <paramref name="digest"/>. The server checks the
    /// bits against the digest first, so nothing unverified reaches a content path. The upload is consumed.
    /// </summary>
    /// <exception cref="ContentException">With <see cref="ContentError.DigestMismatch"/> when the bits do not hash to the digest.</exception>
    Task<StoredContent> StoreUploadAsync(IUploadedFile upload, string digest, CancellationToken cancellationToken);

    /// <summary>Writes bits into content storage under <paramref name="digest"/>, after checking them against it.</summary>
    /// <exception cref="ContentException">With <see cref="ContentError.DigestMismatch"/> when the bits do not hash to the digest.</exception>
    Task<StoredContent> StoreContentAsync(ReadOnlyMemory<byte> content, string digest, CancellationToken cancellationToken);

    /// <summary>
    /// Saves a unit: inserts it, or updates the metadata of the unit with the same type and key. Its content,
    /// if it names any, must already be in content storage.
    /// </summary>
    /// <returns>The unit as stored, with its <see cref="Unit.Id"/>.</returns>
    Task<Unit> SaveUnitAsync(Unit unit, CancellationToken cancellationToken);

    /// <summary>Associates a saved unit with this repository; associating it again changes nothing.</summary>
    Task AssociateAsync(Unit unit, CancellationToken cancellationToken);

    /// <summary>
    /// Reserves room in the server's memory budget for a document of <paramref name="bytes"/> bytes that the importer
    /// is about to read whole and parse (a manifest, say); the room is given back when the reservation is disposed.
    /// The budget is counted in bytes of such documents, so that however many imports run at once, what they hold in
    /// memory stays within a fixed bound. While the budget is taken by other imports, the call waits.
    /// </summary>
    /// <remarks>
    /// Reserve before allocating, hold the reservation while the document is in memory, and do not make a nested
    /// import (<see cref="ImportNestedAsync"/>) while holding one: that import may wait for room itself. Bits that the
    /// server already holds in memory for this import (a manifest pushed to the registry) are already counted: a
    /// reservation up to their size is granted at once.
    /// </remarks>
    /// <returns>The reservation; dispose it once the document is no longer held.</returns>
    /// <exception cref="ContentException">
    /// With <see cref="ContentError.TooLarge"/> when <paramref name="bytes"/> is more than the whole budget.
    /// </exception>
    /// <exception cref="OperationCanceledException">When <paramref name="cancellationToken"/> ends the wait.</exception>
    ValueTask<IDisposable> ReserveMemoryAsync(long bytes, CancellationToken cancellationToken);

    /// <summary>
    /// Imports bits an importer found inside its own upload (the blobs of an uploaded archive, say) as a unit of
    /// <paramref name="unitTypeId"/>, through the importer this repository has registered for that type, exactly as
    /// an <c>import_upload</c> of those bits would. The stream is copied to temporary storage (never held whole in
    /// memory) and handed to that importer as its upload.
    /// </summary>
    /// <returns>The unit imported.</returns>
    /// <exception cref="ContentException">When the repository has no importer for the type, or that importer refuses.</exception>
    Task<Unit> ImportNestedAsync(
        string unitTypeId, Stream content, System.Text.Json.Nodes.JsonObject unitKey, System.Text.Json.Nodes.JsonObject unitMetadata, CancellationToken cancellationToken);
}
