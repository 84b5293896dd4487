using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.IO.Pipelines;
using Berth.Server.Configuration;
using Berth.Server.Diagnostics;
using Berth.Server.Errors;
using Berth.Server.Storage;
using Docker.Common.Digests;
using Microsoft.Extensions.Options;

namespace Berth.Server.Uploads;

/// <summary>
/// Upload requests: segments are streamed to the upload's file (never held whole in memory) and hashed as
/// they arrive in order; a segment is acknowledged only once it is on disk, or, when uploads are shared by every server
/// (<paramref name="shared"/>, with content in a bucket), once it is a part in the bucket and the metadata store.
/// </summary>
public sealed class UploadService(
    IUploadRequestStore store,
    SessionIds sessionIds,
    DataLayout layout,
    TimeProvider clock,
    IOptions<BerthOptions> options,
    ILogger<UploadService> logger,
    SharedUploads? shared = null,
    IUploadLimitStore? limits = null)
{
    // This server's own count of each user's uploads, which is exact unless other servers share the uploads.
    private readonly UploadQuota _quota = new(options);

    // When they do, and the metadata store that can count them: every server's requests count together there.
    private readonly StoredUploadLimits? _storedLimits = shared is not null && limits is not null ? new(limits, options, logger) : null;
    private readonly ConcurrentDictionary<UploadId, UploadSession> _sessions = new();

    // Registry sessions this server counts against their owners' limits and that are not stored (see OpenSessionAsync).
    private readonly ConcurrentDictionary<UploadId, UploadRequest> _unstored = new();

    /// <summary>Whether uploads are shared by every server (kept in the bucket), rather than by this server's data folder.</summary>
    public bool Shared => shared is not null;

    /// <summary>How many uploads have a session in memory: at most those that exist.</summary>
    internal int SessionCount => _sessions.Count;

    /// <summary>How many uploads and registry sessions are open (those made before uploads had owners aside).</summary>
    internal int OpenUploads => _quota.OpenUploads;

    /// <summary>Whether users' upload limits are counted in the metadata store, shared by every server, rather than by this server.</summary>
    internal bool CountsInStore => _storedLimits is not null;

    /// <summary>How many users have uploads counted against their limits: at most those with open uploads.</summary>
    internal int QuotaOwners => _quota.Owners;

    /// <summary>Refuses when <paramref name="owner"/> has no room for another upload, as <see cref="CreateAsync"/> would, without making one.</summary>
    /// <exception cref="UploadLimitException">When the owner has as many uploads open as allowed.</exception>
    public Task RequireRoomAsync(string? owner, CancellationToken cancellationToken)
    {
        if (_storedLimits is not null)
        {
            return _storedLimits.RequireRoomAsync(owner, cancellationToken);
        }

        _quota.RequireRoom(owner);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Creates an upload of the content API owned by <paramref name="owner"/> (the user who asks for it), within their
    /// limits (a registry session is opened by <see cref="OpenSessionAsync"/>). Every other call takes the owner too: an upload
    /// of someone else is, to them, not there (<see langword="null"/> stands for an administrator, who sees all).
    /// </summary>
    /// <exception cref="UploadLimitException">When the owner has as many uploads open as allowed.</exception>
    public async Task<UploadRequest> CreateAsync(string owner, CancellationToken cancellationToken)
    {
        var upload = new UploadRequest(UploadId.New(), clock.GetUtcNow(), null, owner);
        if (_storedLimits is not null)
        {
            await _storedLimits.CreateAsync(upload, cancellationToken);
            return upload;
        }

        _quota.Open(owner);
        try
        {
            // The record alone: the upload's file is made by its first segment, which makes its name durable when it
            // acknowledges bytes, and an upload without a file holds nothing.
            await store.CreateAsync(upload, cancellationToken);
            return upload;
        }
        catch
        {
            _quota.Close(owner, 0);
            throw;
        }
    }

    /// <summary>
    /// Opens a registry upload session, within its owner's limits, and writes nothing: its id vouches for it (see
    /// <see cref="SessionIds"/>). It is stored when it must keep bytes: a segment acknowledged on its own, or the last
    /// one when the import that follows fails. A blob sent whole with the PUT that completes the session, as most
    /// clients send small blobs, never touches the metadata store but for its import.
    /// </summary>
    /// <exception cref="UploadLimitException">When the owner has as many uploads open as allowed.</exception>
    public async Task<UploadRequest> OpenSessionAsync(Repositories.RepositoryId repository, string owner, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var upload = new UploadRequest(sessionIds.New(repository, owner, now), now, repository, owner);

        // When uploads are shared, the session holds nothing here, and counts from when it holds something: stored (see
        // StoredUploadLimits), or, on the one server of an embedded store, from the first request that writes to it (see
        // EnterAsync). Counted here, it would count for ever when its PUT went to another server.
        if (_storedLimits is not null)
        {
            await _storedLimits.RequireRoomAsync(owner, cancellationToken);
        }
        else if (shared is not null)
        {
            _quota.RequireRoom(owner);
        }
        else
        {
            Count(upload);
        }

        return upload;
    }

    public async Task<IReadOnlyList<UploadRequest>> ListAsync(string? owner, CancellationToken cancellationToken) =>
        [.. (await store.ListAsync(cancellationToken)).Where(u => owner is null || u.Owner == owner)];

    /// <param name="id">The upload.</param>
    /// <param name="owner">Whose upload it must be (<see langword="null"/>: anyone's).</param>
    /// <param name="claim">For a registry session, its repository and caller: a session that is not stored is found by them.</param>
    /// <param name="cancellationToken">Ends the lookup.</param>
    public async Task<UploadStatus> GetAsync(UploadId id, string? owner, SessionClaim? claim, CancellationToken cancellationToken)
    {
        var (upload, stored) = await LookupAsync(id, owner, claim, cancellationToken) ?? throw new NotFoundException("upload", id.Value);

        // Another server may have added to a shared upload since this one last saw it: the parts say what it holds.
        return new UploadStatus(upload, shared is not null && stored ? await shared.ExtentAsync(upload.Id, cancellationToken) : SizeOf(upload.Id));
    }

    /// <summary>
    /// Writes one segment at an offset; returns the upload with how many bytes it holds afterwards. An offset
    /// may be anywhere up to the end (segments may be resent) unless <paramref name="strict"/>, when it must be
    /// the end: the registry API takes chunks strictly in order. A segment whose Content-Length says up front that
    /// it would pass the largest upload accepted, or what its owner's uploads may hold together, is refused before
    /// a byte of it is read; one without is refused as it passes.
    /// </summary>
    /// <param name="id">The upload.</param>
    /// <param name="offset">Where the segment starts; <see langword="null"/>: at the end.</param>
    /// <param name="body">The segment's bytes.</param>
    /// <param name="declaredLength">How many bytes the client says it sends, if it says.</param>
    /// <param name="strict">Whether the segment must start at the end.</param>
    /// <param name="owner">Whose upload it must be (<see langword="null"/>: anyone's).</param>
    /// <param name="claim">For a registry session, its repository and caller (see <see cref="GetAsync"/>).</param>
    /// <param name="durable">
    /// Whether the bytes are flushed before this returns. Only a caller that imports the upload at once, and calls
    /// <see cref="MakeDurableAsync"/> when that fails, may pass <see langword="false"/>: the import flushes what it keeps.
    /// </param>
    /// <param name="cancellationToken">Ends the copy.</param>
    public async Task<UploadStatus> WriteSegmentAsync(
        UploadId id, long? offset, PipeReader body, long? declaredLength, bool strict, string? owner, SessionClaim? claim, bool durable, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        var (upload, stored, session) = await EnterAsync(id, owner, claim, cancellationToken);
        try
        {
            if (durable && !stored)
            {
                // Acknowledged bytes need a session that outlives this process.
                await StoreAsync(upload);
                stored = true;
            }

            var path = layout.UploadPath(upload.Id.Value);
            using var handle = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite);
            var sharing = shared is not null && stored;
            var length = sharing ? await shared!.CatchUpAsync(upload.Id, session, handle, cancellationToken) : RandomAccess.GetLength(handle);
            var start = offset ?? length;
            if (start > length || (strict && start != length))
            {
                throw new UploadOffsetException(length, start, strict);
            }

            var maxEnd = options.Value.MaxUploadBytes;
            if (maxEnd is { } max && declaredLength > max - start)
            {
                throw BeyondLimit(max);
            }

            var growth = await GrowAsync(upload.Owner, length, start + declaredLength, cancellationToken);
            try
            {
                var end = await WriteAsync(handle, path, session, length, start, body, ClaimEndAsync, cancellationToken);
                var size = Math.Max(length, end);
                if (sharing)
                {
                    session.LocalLength = size;
                    if (durable && !await shared!.PublishAsync(upload.Id, session, path, start, end - start, strict, cancellationToken))
                    {
                        RandomAccess.SetLength(handle, length);
                        throw await store.FindAsync(upload.Id, CancellationToken.None) is null
                            ? new NotFoundException("upload", upload.Id.Value)
                            : UploadOffsetException.Overtaken(await shared.ExtentAsync(upload.Id, CancellationToken.None), start);
                    }
                }
                else if (durable)
                {
                    NativeFiles.FlushToDisk(handle);
                    Name(session);
                }

                return new UploadStatus(upload, size);
            }
            finally
            {
                // A failed segment was cut back: the upload keeps what its file holds.
                await growth.SettleAsync(RandomAccess.GetLength(handle));
            }

            ValueTask ClaimEndAsync(long end) => end > maxEnd ? throw BeyondLimit(maxEnd.Value) : growth.ClaimAsync(end, cancellationToken);
        }
        finally
        {
            session.Gate.Release();
        }
    }

    /// <summary>Claims the bytes a segment adds, up front for those it declares (see <see cref="IUploadGrowth"/>).</summary>
    /// <exception cref="UploadLimitException">When the declared end would take the owner's uploads past their limit.</exception>
    private async ValueTask<IUploadGrowth> GrowAsync(string? owner, long length, long? declaredEnd, CancellationToken cancellationToken)
    {
        if (_storedLimits is not null)
        {
            return await _storedLimits.GrowAsync(owner, length, declaredEnd, cancellationToken);
        }

        var growth = _quota.Grow(owner, length);
        if (declaredEnd is { } end)
        {
            await growth.ClaimAsync(end, cancellationToken);
        }

        return growth;
    }

    /// <summary>The refusal of a segment that would take an upload past the largest accepted.</summary>
    internal static TooLargeException BeyondLimit(long max) => new($"the upload would exceed the largest accepted, {max} bytes", max);

    public Task DeleteAsync(UploadId id, string? owner, CancellationToken cancellationToken) => DeleteAsync(id, owner, null, cancellationToken);

    /// <summary>Cancels an upload or a registry session (see <see cref="GetAsync"/>): its record, bytes and id go.</summary>
    public async Task DeleteAsync(UploadId id, string? owner, SessionClaim? claim, CancellationToken cancellationToken)
    {
        (UploadRequest Upload, bool Stored, UploadSession Session) entered;
        try
        {
            entered = await EnterAsync(id, owner, claim, cancellationToken);
        }
        catch (NotFoundException) when (claim is null)
        {
            // One its import consumed: Pulp 2 keeps an upload until its owner deletes it, and its clients do, as its
            // documentation tells them to. The first DELETE succeeds; the upload is gone either way.
            if (await store.ForgetEndedAsync(id, cancellationToken))
            {
                return;
            }

            throw;
        }

        var (upload, stored, session) = entered;
        try
        {
            if (upload.Repository is not null)
            {
                // A registry session's id would still vouch for it, stored or not.
                await store.RememberEndedAsync(upload.Id, upload.Created, CancellationToken.None);
            }

            await RemoveAsync(upload, stored, session, SizeOf(upload.Id));
        }
        finally
        {
            session.Gate.Release();
        }
    }

    /// <summary>
    /// Ends an upload if it still exists, for clean-up after a failure: it never throws for a missing one. A session that
    /// was not stored goes without a trace, as its id never reached the client.
    /// </summary>
    /// <returns>Whether there was an upload to end.</returns>
    public Task<bool> DiscardAsync(UploadId id, SessionClaim? claim) => DiscardUnlessAsync(id, claim, keep: null);

    /// <summary>
    /// Ends an upload as <see cref="DiscardAsync"/> does, unless <paramref name="keep"/>, asked once the upload's gate is
    /// held, says otherwise.
    /// </summary>
    private async Task<bool> DiscardUnlessAsync(UploadId id, SessionClaim? claim, Func<UploadRequest, Task<bool>>? keep)
    {
        // Consumed by the import or deleted meanwhile: nothing left to clean.
        if (await TryEnterAsync(id, claim) is not var (upload, stored, session))
        {
            return false;
        }

        try
        {
            if (keep is not null && await keep(upload))
            {
                return false;
            }

            await RemoveAsync(upload, stored, session, SizeOf(upload.Id));
            return true;
        }
        finally
        {
            session.Gate.Release();
        }
    }

    /// <summary>Takes an upload for an import: no segment can be written to it until the lease is disposed.</summary>
    public async Task<UploadLease> AcquireAsync(UploadId id, string? owner, SessionClaim? claim, CancellationToken cancellationToken)
    {
        var (upload, stored, session) = await EnterAsync(id, owner, claim, cancellationToken);
        var path = layout.UploadPath(upload.Id.Value);
        try
        {
            // An upload that no segment reached has no file yet: the import takes an empty one.
            using var handle = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite);
            if (shared is not null && stored)
            {
                await shared.CatchUpAsync(upload.Id, session, handle, cancellationToken);
            }
        }
        catch
        {
            session.Gate.Release();
            throw;
        }

        var file = new UploadedFile(upload.Id, path, SizeOf(upload.Id), session);
        return new UploadLease(upload, file, session, () =>
        {
            session.Gate.Release();
            return ValueTask.CompletedTask;
        });
    }

    /// <summary>Ends an upload whose bits were imported: its record and whatever is left of its file go.</summary>
    public async Task CompleteAsync(UploadLease lease)
    {
        ArgumentNullException.ThrowIfNull(lease);
        await RemoveAsync(lease.Upload, stored: true, lease.Session, lease.File.Length);
    }

    /// <summary>
    /// Ends the upload of <paramref name="lease"/> with the import that consumed it: its record goes in the import's unit of
    /// work, its file once that is committed.
    /// </summary>
    public void CompleteWith(UploadLease lease, UnitOfWork work)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(work);
        var parts = lease.Session.Parts?.Select(p => p.Name).ToList() ?? [];
        work.EndUpload(lease.Upload, async () =>
        {
            Forget(lease.Upload, lease.Session, lease.File.Length);
            if (shared is not null)
            {
                await shared.DeleteAsync(lease.Upload.Id, parts);
            }
        });
    }

    /// <summary>
    /// Deletes uploads whose bytes have not changed for <paramref name="age"/> (their file's modification time, or for
    /// shared uploads their last part, says when a segment last arrived); returns how many went. Only what this server
    /// holds alone when <paramref name="stored"/> is false: the sessions it counts that were never stored, and its local
    /// copies of shared uploads that have ended.
    /// </summary>
    /// <param name="age">How long an upload may lie untouched.</param>
    /// <param name="stored">Whether to purge stored uploads too: one server among those sharing them does.</param>
    /// <param name="cancellationToken">Ends the purge.</param>
    public async Task<int> PurgeAbandonedAsync(TimeSpan age, bool stored, CancellationToken cancellationToken)
    {
        var cutoff = clock.GetUtcNow() - age;
        var purged = PurgeUnstored(cutoff);
        if (shared is not null)
        {
            await DropEndedCopiesAsync(cancellationToken);
        }

        if (!stored)
        {
            return purged;
        }

        await store.ForgetEndedAsync(cutoff, cancellationToken);
        foreach (var upload in await store.ListAsync(cancellationToken))
        {
            var file = new FileInfo(layout.UploadPath(upload.Id.Value));
            var lastActivity = shared is not null
                ? await shared.LastActivityAsync(upload, cancellationToken)
                : file.Exists ? new DateTimeOffset(file.LastWriteTimeUtc) : upload.Created;
            if (lastActivity > cutoff || _sessions.TryGetValue(upload.Id, out var busy) && busy.Gate.CurrentCount == 0)
            {
                continue;
            }

            // Imported or deleted meanwhile, or not.
            // Asked again with the gate held: another server may have added a part to a shared upload since.
            if (await DiscardUnlessAsync(upload.Id, null, keep: async found => shared is not null && await shared.LastActivityAsync(found, CancellationToken.None) > cutoff))
            {
                purged++;
                logger.LogInformation("Purged upload {Id}: untouched since {LastActivity}", upload.Id, lastActivity);
            }
        }

        if (shared is not null)
        {
            await shared.SweepAsync(cutoff, cancellationToken);
        }

        return purged;
    }

    /// <summary>Deletes this server's local copies of shared uploads that ended, here or on another server.</summary>
    private async Task DropEndedCopiesAsync(CancellationToken cancellationToken)
    {
        foreach (var file in Directory.EnumerateFiles(layout.Uploads))
        {
            if (!UploadId.TryParse(Path.GetFileName(file), out var id) || _unstored.ContainsKey(id) || await store.FindAsync(id, cancellationToken) is not null)
            {
                continue;
            }

            var session = _sessions.GetOrAdd(id, _ => new UploadSession());
            if (!session.Gate.Wait(0, CancellationToken.None))
            {
                // Busy: whoever has it finds the upload gone.
                continue;
            }

            try
            {
                if (!_unstored.ContainsKey(id))
                {
                    File.Delete(file);
                    _sessions.TryRemove(new KeyValuePair<UploadId, UploadSession>(id, session));
                    session.ReplaceSha256(null);
                }
            }
            finally
            {
                session.Gate.Release();
            }
        }
    }

    /// <summary>
    /// Forgets the sessions this server counts that were never stored and are untouched since <paramref name="cutoff"/>:
    /// their ids have expired, so nothing can end them otherwise.
    /// </summary>
    private int PurgeUnstored(DateTimeOffset cutoff)
    {
        var purged = 0;
        foreach (var upload in _unstored.Values)
        {
            var file = new FileInfo(layout.UploadPath(upload.Id.Value));
            if ((file.Exists ? new DateTimeOffset(file.LastWriteTimeUtc) : upload.Created) > cutoff)
            {
                continue;
            }

            var session = _sessions.GetOrAdd(upload.Id, _ => new UploadSession());
            if (!session.Gate.Wait(0))
            {
                // Busy: a write or an import has it.
                continue;
            }

            try
            {
                if (_unstored.ContainsKey(upload.Id))
                {
                    Forget(upload, session, SizeOf(upload.Id));
                    purged++;
                }
                else
                {
                    _sessions.TryRemove(new KeyValuePair<UploadId, UploadSession>(upload.Id, session));
                }
            }
            finally
            {
                session.Gate.Release();
            }
        }

        return purged;
    }

    /// <summary>
    /// Deletes upload files that no record names: what a crash left of an upload that was never acknowledged (or whose
    /// end was). A record without a file is an upload that no segment reached.
    /// </summary>
    public async Task RecoverAsync(CancellationToken cancellationToken)
    {
        if (shared is not null)
        {
            // Shared uploads are in the bucket: a local copy is only a cache, and one from before a restart is not trusted.
            foreach (var file in Directory.EnumerateFiles(layout.Uploads))
            {
                File.Delete(file);
            }

            if (_storedLimits is null)
            {
                var held = new List<(string?, long)>();
                foreach (var upload in await store.ListAsync(cancellationToken))
                {
                    held.Add((upload.Owner, await shared.ExtentAsync(upload.Id, cancellationToken)));
                }

                _quota.Load(held);
            }

            return;
        }

        var known = (await store.ListAsync(cancellationToken)).Select(u => u.Id.Value).ToHashSet(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(layout.Uploads))
        {
            if (!known.Contains(Path.GetFileName(file)))
            {
                logger.LogInformation("Removing {File}: no upload request names it", file);
                File.Delete(file);
            }
        }

        _quota.Load((await store.ListAsync(cancellationToken)).Select(u => (u.Owner, SizeOf(u.Id))));
    }

    /// <returns>Where the written bytes end.</returns>
    private async Task<long> WriteAsync(
        Microsoft.Win32.SafeHandles.SafeFileHandle handle,
        string path,
        UploadSession session,
        long length,
        long offset,
        PipeReader body,
        Func<long, ValueTask> claimEnd,
        CancellationToken cancellationToken)
    {
        if (offset == 0 && length == 0 && session.Sha256 is null)
        {
            session.ReplaceSha256(new DigestCalculator(DigestAlgorithm.Sha256));
        }

        var hashing = offset == length && session.Sha256?.Length == length;
        if (!hashing && offset < session.Sha256?.Length)
        {
            // Bytes the running hash covers may change: it can no longer vouch for the file.
            session.ReplaceSha256(null);
        }

        var checkpoint = hashing ? session.Sha256!.Clone() : null;
        var position = offset;
        var started = Stopwatch.GetTimestamp();
        try
        {
            using (var writer = UploadFileWriter.Open(handle, path, options.Value.DirectUploads))
            {
                position = await SegmentCopier.CopyAsync(body, writer, offset, hashing ? session.Sha256 : null, claimEnd, cancellationToken);
            }

            ServerMetrics.UploadSegment.RecordSince(started);
            return position;
        }
        catch
        {
            // Unacknowledged bytes must not count as held: cut the file back and rewind the hash.
            if (RandomAccess.GetLength(handle) > length)
            {
                RandomAccess.SetLength(handle, length);
            }

            if (hashing)
            {
                session.ReplaceSha256(checkpoint);
                checkpoint = null;
            }

            throw;
        }
        finally
        {
            checkpoint?.Dispose();
        }
    }

    private async Task<(UploadRequest Upload, bool Stored, UploadSession Session)> EnterAsync(
        UploadId uploadId, string? owner, SessionClaim? claim, CancellationToken cancellationToken)
    {
        // Looked up before anything is kept in memory: a request for an upload that is not there, or not the
        // caller's, leaves nothing behind however often it is made.
        if (await LookupAsync(uploadId, owner, claim, cancellationToken) is null)
        {
            throw new NotFoundException("upload", uploadId.Value);
        }

        var session = _sessions.GetOrAdd(uploadId, _ => new UploadSession());
        var entered = false;
        try
        {
            await session.Gate.WaitAsync(cancellationToken);
            entered = true;

            // Checked again inside the gate: a delete or completed import may have ended the upload while we waited.
            var (upload, stored) = await LookupAsync(uploadId, owner, claim, cancellationToken) ?? throw new NotFoundException("upload", uploadId.Value);
            if (!stored && _storedLimits is null)
            {
                // One this server did not open, or opened before it restarted: it counts from now on, as it may hold bytes.
                Count(upload);
            }

            return (upload, stored, session);
        }
        catch
        {
            if (entered)
            {
                session.Gate.Release();
            }

            await ForgetIfEndedAsync(uploadId, session);
            throw;
        }
    }

    /// <summary>Enters anyone's upload for clean-up, or answers null when it has ended.</summary>
    private async Task<(UploadRequest Upload, bool Stored, UploadSession Session)?> TryEnterAsync(UploadId id, SessionClaim? claim)
    {
        try
        {
            return await EnterAsync(id, null, claim, CancellationToken.None);
        }
        catch (NotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// Drops the session of an upload that has ended. The upload may have ended between our first look and our
    /// taking the session (its end removed the session it had, and we made a new one), or while we waited at
    /// the gate. An upload that has ended never comes back (ids are not reused), so removing its session can
    /// never leave two gates for one live upload; a caller still waiting at the removed gate finds the upload
    /// gone and answers 404 too.
    /// </summary>
    private async Task ForgetIfEndedAsync(UploadId id, UploadSession session)
    {
        if (await store.FindAsync(id, CancellationToken.None) is null && !_unstored.ContainsKey(id))
        {
            _sessions.TryRemove(new KeyValuePair<UploadId, UploadSession>(id, session));
        }
    }

    private static bool IsOwned([NotNullWhen(true)] UploadRequest? upload, string? owner) => upload is not null && (owner is null || upload.Owner == owner);

    /// <summary>
    /// The upload of this id that the caller may use: a stored one, or a registry session that is not stored, whose id
    /// must have been made for the claim's repository and caller, not have expired, and not have been cancelled.
    /// </summary>
    private async Task<(UploadRequest Upload, bool Stored)?> LookupAsync(UploadId id, string? owner, SessionClaim? claim, CancellationToken cancellationToken)
    {
        // First what this server holds: a session leaves it (StoreAsync) only once it is stored, with its gate held. Not when
        // uploads are shared: another server may have stored the session, or ended it, since this one opened it.
        if (shared is null && claim is { } claimed && _unstored.TryGetValue(id, out var open))
        {
            return open.Repository == claimed.Repository && open.Owner == claimed.Login && Unexpired(open.Created) ? (open, false) : null;
        }

        if (await store.FindAsync(id, cancellationToken) is { } upload)
        {
            return IsOwned(upload, owner) ? (upload, true) : null;
        }

        if (claim is not { } session)
        {
            return null;
        }

        return sessionIds.TryVerify(id, session.Repository, session.Login, out var opened) &&
            Unexpired(opened) &&
            !await store.HasEndedAsync(id, cancellationToken)
                ? (new UploadRequest(id, opened, session.Repository, session.Login), false)
                : null;
    }

    // Untouched by definition (it holds no bytes), so it expires as an untouched stored upload is purged.
    private bool Unexpired(DateTimeOffset opened) => clock.GetUtcNow() - opened < options.Value.UploadExpiry;

    /// <summary>Counts a session that is not stored against its owner's limits, once.</summary>
    /// <exception cref="UploadLimitException">When the owner has as many uploads open as allowed.</exception>
    private void Count(UploadRequest upload)
    {
        if (_unstored.TryAdd(upload.Id, upload))
        {
            try
            {
                _quota.Open(upload.Owner);
            }
            catch
            {
                _unstored.TryRemove(upload.Id, out _);
                throw;
            }
        }
    }

    /// <summary>
    /// Stores a session that was not (see <see cref="OpenSessionAsync"/>), with its gate held: within its owner's limits when
    /// they are counted in the store, and as it was counted otherwise.
    /// </summary>
    /// <exception cref="UploadLimitException">When its owner has as many uploads stored as allowed.</exception>
    private async Task StoreAsync(UploadRequest upload)
    {
        try
        {
            if (_storedLimits is not null)
            {
                await _storedLimits.CreateAsync(upload, CancellationToken.None);
            }
            else
            {
                await store.CreateAsync(upload, CancellationToken.None);
            }
        }
        catch (Exception) when (shared is not null)
        {
            // Another server stored it a moment before (a client that sent its first chunk twice), and it counts already:
            // stored either way.
            if (await store.FindAsync(upload.Id, CancellationToken.None) is null)
            {
                throw;
            }
        }

        _unstored.TryRemove(upload.Id, out _);
    }

    /// <summary>Ends an upload, with its gate held; <paramref name="size"/> is what it held, now free.</summary>
    private async Task RemoveAsync(UploadRequest upload, bool stored, UploadSession session, long size)
    {
        IReadOnlyList<UploadPart> parts = [];
        if (stored)
        {
            parts = shared is not null ? await store.PartsAsync(upload.Id, CancellationToken.None) : [];
            await store.DeleteAsync(upload.Id, CancellationToken.None);
        }

        Forget(upload, session, size);
        if (shared is not null)
        {
            await shared.DeleteAsync(upload.Id, [.. parts.Select(p => p.Name)]);
        }
    }

    /// <summary>What ending an upload leaves to do once its record is gone: its quota, its file, its session.</summary>
    private void Forget(UploadRequest upload, UploadSession session, long size)
    {
        _unstored.TryRemove(upload.Id, out _);
        _quota.Close(upload.Owner, size);
        File.Delete(layout.UploadPath(upload.Id.Value));
        _sessions.TryRemove(new KeyValuePair<UploadId, UploadSession>(upload.Id, session));
        session.ReplaceSha256(null);
    }

    /// <summary>
    /// Flushes an upload whose last segment was written without (see <see cref="WriteSegmentAsync"/>), when the import that
    /// was to follow failed: what the upload holds is then acknowledged by what it reports.
    /// </summary>
    public async Task MakeDurableAsync(UploadId id, SessionClaim? claim)
    {
        var path = layout.UploadPath(id.Value);
        if (!File.Exists(path))
        {
            return;
        }

        // Ended meanwhile: nothing to keep.
        if (await TryEnterAsync(id, claim) is not var (upload, stored, session))
        {
            return;
        }

        try
        {
            if (!File.Exists(path))
            {
                return;
            }

            if (!stored)
            {
                await StoreAsync(upload);
                session.Parts = [];
                session.LocalLength = new FileInfo(path).Length;
            }

            if (shared is not null)
            {
                await PublishTailAsync(upload.Id, session, path);
                return;
            }

            using (var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read))
            {
                NativeFiles.FlushToDisk(handle);
            }

            NativeFiles.SyncDirectory(layout.Uploads);
        }
        finally
        {
            session.Gate.Release();
        }
    }

    /// <summary>Makes what the local copy of a shared upload holds beyond its parts (a segment written without being acknowledged) its next part.</summary>
    private async Task PublishTailAsync(UploadId id, UploadSession session, string path)
    {
        var length = new FileInfo(path).Length;
        if (session.Parts is not { } parts || length != session.LocalLength || length <= UploadPart.Extent(parts))
        {
            return;
        }

        var extent = UploadPart.Extent(parts);
        if (!await shared!.PublishAsync(id, session, path, extent, length - extent, strict: true, CancellationToken.None))
        {
            logger.LogInformation("The last segment of upload {Id} was not kept: another request added to the upload first", id);
        }
    }

    /// <summary>Makes the name of the upload's file durable, once per session (the file's first flushed segment made it).</summary>
    private void Name(UploadSession session)
    {
        if (!session.Named)
        {
            NativeFiles.SyncDirectory(layout.Uploads);
            session.Named = true;
        }
    }

    private long SizeOf(UploadId id)
    {
        var file = new FileInfo(layout.UploadPath(id.Value));
        return file.Exists ? file.Length : 0;
    }
}
