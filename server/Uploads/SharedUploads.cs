using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Berth.Server.Diagnostics;
using Docker.Common.Digests;
using Microsoft.Win32.SafeHandles;

namespace Berth.Server.Uploads;

/// <summary>
/// Uploads that any server sharing the metadata store and the bucket can continue (<c>Berth:Content:Provider</c> = <c>S3</c>).
/// Each acknowledged segment becomes a part: its bytes an object in the bucket, its place a row in the metadata store,
/// added only if no server added a part after the same one meanwhile, which keeps chunks in strict order across servers.
/// A server works on a local copy of the upload, which the import reads and its running hash covers. When other servers
/// added parts since it last saw the upload, it reads those from the bucket first, hashing them as they come: that read
/// is what a session changing server costs (logged, and counted by <c>berth.upload.catch_up</c>).
/// </summary>
public sealed class SharedUploads(IUploadRequestStore store, IUploadPartStore parts, TimeProvider clock, ILogger<SharedUploads> logger)
{
    private const int CopyBuffer = 256 * 1024;

    // A segment that loses the race for a part number to other servers again and again gives up rather than hold its
    // request for ever: ten losses in a row means several clients are writing one upload at once.
    private const int MaxAttempts = 10;

    /// <summary>
    /// Brings the local copy of a stored upload (open at <paramref name="handle"/>) up to the parts the metadata store
    /// has, with the upload's gate held; returns the copy's length afterwards.
    /// </summary>
    internal async Task<long> CatchUpAsync(UploadId id, UploadSession session, SafeFileHandle handle, CancellationToken cancellationToken)
    {
        var stored = await store.PartsAsync(id, cancellationToken);
        var local = RandomAccess.GetLength(handle);
        var applied = session.Parts;
        var trusted = applied is not null && applied.Count <= stored.Count && local == session.LocalLength &&
            applied.Select(p => p.Name).SequenceEqual(stored.Take(applied.Count).Select(p => p.Name), StringComparer.Ordinal);
        if (trusted && applied!.Count == stored.Count)
        {
            return local;
        }

        // Bytes written here and not yet a part (the last segment of an import that failed) lost to parts added elsewhere.
        if (!trusted || local != UploadPart.Extent(applied!))
        {
            RandomAccess.SetLength(handle, 0);
            session.ReplaceSha256(new DigestCalculator(DigestAlgorithm.Sha256));
            applied = [];
            local = 0;
        }

        var started = Stopwatch.GetTimestamp();
        long read = 0;
        var missing = stored.Skip(applied!.Count).ToList();
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBuffer);
        try
        {
            foreach (var part in missing)
            {
                var hash = session.Sha256 is { } running && running.Length == local && part.Offset == local ? running : null;
                if (hash is null && part.Offset < session.Sha256?.Length)
                {
                    // Bytes the running hash covers change: it no longer vouches for the copy.
                    session.ReplaceSha256(null);
                }

                await using var source = await parts.OpenReadAsync(id, part.Name, cancellationToken);
                var position = part.Offset;
                int count;
                while ((count = await source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(CopyBuffer, part.End - position + 1)), cancellationToken)) > 0)
                {
                    if (position + count > part.End)
                    {
                        throw new IOException($"part {part.Name} of upload {id} in the bucket is longer than the {part.Length} bytes recorded");
                    }

                    await RandomAccess.WriteAsync(handle, buffer.AsMemory(0, count), position, cancellationToken);
                    hash?.Append(buffer.AsSpan(0, count));
                    position += count;
                }

                if (position != part.End)
                {
                    throw new IOException($"part {part.Name} of upload {id} in the bucket is shorter than the {part.Length} bytes recorded");
                }

                read += part.Length;
                local = Math.Max(local, part.End);
            }
        }
        catch
        {
            session.Parts = null;
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        session.Parts = stored;
        session.LocalLength = local;
        if (missing.Count > 0)
        {
            var elapsed = Stopwatch.GetElapsedTime(started);
            ServerMetrics.UploadCatchUp.Record(elapsed.TotalMilliseconds);
            ServerMetrics.UploadCatchUpBytes.Add(read);
            logger.LogInformation(
                "Upload {Id} continues on this server: read {Bytes} bytes in {Parts} parts from the bucket in {Milliseconds:F0} ms", id, read, missing.Count, elapsed.TotalMilliseconds);
        }

        return local;
    }

    /// <summary>
    /// Makes bytes just written to the local copy (at <paramref name="path"/>) the upload's next part, with the gate held
    /// and the copy caught up (see <see cref="CatchUpAsync"/>).
    /// </summary>
    /// <param name="id">The upload.</param>
    /// <param name="session">This server's session of it.</param>
    /// <param name="path">The local copy.</param>
    /// <param name="offset">Where the bytes start.</param>
    /// <param name="length">How many there are.</param>
    /// <param name="strict">
    /// Whether the bytes had to start at the end (the registry's chunks): then another server's part added first means they
    /// are out of order. Otherwise (segments at any offset) they go after it, as if they had come second.
    /// </param>
    /// <param name="cancellationToken">Ends the upload of the part.</param>
    /// <returns>Whether the part was added; <see langword="false"/> when it was out of order, or the upload ended.</returns>
    internal async Task<bool> PublishAsync(UploadId id, UploadSession session, string path, long offset, long length, bool strict, CancellationToken cancellationToken)
    {
        IReadOnlyList<UploadPart>? applied = session.Parts ?? throw new InvalidOperationException("an upload's local copy is caught up before a part is added");
        var part = new UploadPart(
            applied.Count, offset, length, $"{applied.Count.ToString("D6", CultureInfo.InvariantCulture)}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}", clock.GetUtcNow());
        session.Parts = null;
        await parts.PutAsync(id, part.Name, path, offset, length, cancellationToken);

        // From here on the part is not given up on a cancelled request: a commit that succeeded unseen would name an object
        // deleted after it. Only an answer that it was not added lets it go; after a failure, the sweep decides.
        var added = false;
        for (var attempt = 0; attempt < MaxAttempts && !added; attempt++)
        {
            if (!(added = await store.AddPartAsync(id, part, CancellationToken.None)) && (strict || await store.FindAsync(id, CancellationToken.None) is null))
            {
                break;
            }

            if (!added)
            {
                // Other parts came first: the local copy lacks them, and is read again from the bucket next time.
                applied = null;
                part = part with { Sequence = (await store.PartsAsync(id, CancellationToken.None)).Count };
            }
        }

        if (!added)
        {
            await DeleteAsync(id, [part.Name]);
        }

        if (added && applied is not null)
        {
            session.Parts = [.. applied, part];
        }

        return added;
    }

    /// <summary>How many bytes a stored upload holds: where its parts end.</summary>
    internal async Task<long> ExtentAsync(UploadId id, CancellationToken cancellationToken) => UploadPart.Extent(await store.PartsAsync(id, cancellationToken));

    /// <summary>When a stored upload last took a part (its creation when it has none): what the purge of abandoned uploads goes by.</summary>
    internal async Task<DateTimeOffset> LastActivityAsync(UploadRequest upload, CancellationToken cancellationToken) =>
        (await store.PartsAsync(upload.Id, cancellationToken)).Select(p => p.Stored).DefaultIfEmpty(upload.Created).Max();

    /// <summary>
    /// Deletes parts of an upload that has ended, or that were never added. A failure is logged, not thrown: the upload's
    /// end is already durable, and <see cref="SweepAsync"/> deletes what is left.
    /// </summary>
    internal async Task DeleteAsync(UploadId id, IReadOnlyCollection<string> names)
    {
        if (names.Count == 0)
        {
            return;
        }

        try
        {
            await parts.DeleteAsync(id, names, CancellationToken.None);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Parts of upload {Id} stay in the bucket until the next purge of abandoned uploads", id);
        }
    }

    /// <summary>
    /// Deletes the parts in the bucket stored before <paramref name="cutoff"/> that no upload names: those of uploads that
    /// ended while their deletion failed, or of a server that stopped between storing a part and adding it.
    /// </summary>
    /// <returns>How many parts went.</returns>
    internal async Task<int> SweepAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        var swept = 0;
        await foreach (var page in parts.ListAsync(cancellationToken))
        {
            foreach (var group in page.Where(p => p.Stored < cutoff).GroupBy(p => p.Upload))
            {
                var named = (await store.PartsAsync(group.Key, cancellationToken)).Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
                var strays = group.Select(p => p.Name).Where(n => !named.Contains(n)).ToList();
                if (strays.Count > 0)
                {
                    await parts.DeleteAsync(group.Key, strays, cancellationToken);
                    swept += strays.Count;
                    logger.LogInformation("Deleted {Count} parts of upload {Id} from the bucket: no upload names them", strays.Count, group.Key);
                }
            }
        }

        return swept;
    }
}
