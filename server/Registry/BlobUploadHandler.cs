using System.Text.Json.Nodes;
using Berth.Server.Access;
using Berth.Server.Events;
using Berth.Server.Imports;
using Berth.Server.Promotion;
using Berth.Server.Repositories;
using Berth.Server.Uploads;
using Docker.Common;
using Docker.Common.Digests;
using Docker.Common.Distribution;
using Docker.Common.References;
using Microsoft.AspNetCore.Http.Features;

namespace Berth.Server.Registry;

/// <summary>
/// Blob uploads (end-4a/4b, end-5, end-6, end-11, upload status and cancel). A session is an upload request of
/// the content API bound to its repository; completing it hands the bytes to the repository's blob importer,
/// the same way <c>import_upload</c> does.
/// </summary>
public sealed class BlobUploadHandler(
    RegistryRepositories registry,
    UploadService uploads,
    ImportService imports,
    RepositoryContent content,
    PromotionService promotion,
    AccessControl access,
    Audit audit,
    EventAnnouncer events,
    ILogger<BlobUploadHandler> logger)
{
    /// <summary>POST .../blobs/uploads/: a session, a monolithic upload (?digest=), or a mount (?mount=&amp;from=).</summary>
    public async Task StartAsync(HttpContext context, RegistryName name)
    {
        var cancellationToken = context.RequestAborted;
        var query = context.Request.Query;

        // A first push creates the repository: a session that would be refused must not leave one behind.
        if (!query.ContainsKey("mount"))
        {
            await uploads.RequireRoomAsync((await access.CallerAsync(context)).Login, cancellationToken);
        }

        var repository = await ForPushAsync(context, name, MountSource(query));

        // Owned by whoever opened it, administrators too: the session counts against their upload limits.
        var owner = (await access.CallerAsync(context)).Login!;
        if (query.TryGetValue("mount", out var mount) && query.TryGetValue("from", out var from) &&
            await TryMountAsync(context, repository, name, ParseDigest(mount), from.ToString()))
        {
            return;
        }

        // Checked before the session exists, so that a refused digest leaves nothing behind.
        Digest? monolithic = query.TryGetValue("digest", out var digestText) ? ParseDigest(digestText) : null;
        var upload = await uploads.OpenSessionAsync(repository.Id, owner, cancellationToken);
        if (monolithic is { } digest)
        {
            var claim = new SessionClaim(repository.Id, owner);
            try
            {
                // Flushed by the import, which keeps the bytes; the session goes if it fails.
                await WriteAsync(context, upload.Id, claim, null, durable: false);
                await CompleteAsync(context, repository, name, upload.Id, claim, digest);
            }
            catch
            {
                // The client never learnt of this session, so nothing may be left of it.
                await uploads.DiscardAsync(upload.Id, claim);
                throw;
            }

            return;
        }

        SetUploadHeaders(context, name, upload.Id, 0);
        context.Response.StatusCode = StatusCodes.Status202Accepted;
    }

    /// <summary>PATCH a session: one chunk, at the end of what it holds (Content-Range must say so), or streamed.</summary>
    public async Task PatchAsync(HttpContext context, RegistryName name, string uploadId)
    {
        var repository = await registry.ForPullAsync(context, name, AccessAction.Push);
        var session = UploadId.Parse(uploadId);
        var claim = await CheckSessionAsync(context, repository, session);
        var size = await WriteAsync(context, session, claim, ChunkRange(context), durable: true);
        SetUploadHeaders(context, name, session, size);
        context.Response.StatusCode = StatusCodes.Status202Accepted;
    }

    /// <summary>PUT a session with ?digest=: the last chunk, if the body holds one, then the import.</summary>
    public async Task PutAsync(HttpContext context, RegistryName name, string uploadId)
    {
        var repository = await registry.ForPullAsync(context, name, AccessAction.Push);
        var session = UploadId.Parse(uploadId);
        var claim = await CheckSessionAsync(context, repository, session);
        if (!context.Request.Query.TryGetValue("digest", out var digestText))
        {
            throw new RegistryException(RegistryError.DigestInvalid, "completing an upload needs the blob's digest: PUT ...?digest=sha256:...");
        }

        var digest = ParseDigest(digestText);
        if (!Clients.RequestBodies.HasBody(context))
        {
            await CompleteAsync(context, repository, name, session, claim, digest);
            return;
        }

        // The last chunk is flushed by the import that follows (it keeps the bytes), not twice; should the import fail,
        // the chunk stays in the session and is flushed then.
        await WriteAsync(context, session, claim, ChunkRange(context), durable: false);
        try
        {
            await CompleteAsync(context, repository, name, session, claim, digest);
        }
        catch (Exception failure)
        {
            try
            {
                await uploads.MakeDurableAsync(session, claim);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The client needs to hear why its PUT failed, not that keeping its chunk failed too.
                logger.LogWarning(e, "The last chunk of upload {Id} was not kept after its import failed ({Failure})", session, failure.Message);
            }

            throw;
        }
    }

    /// <summary>GET a session: how much it holds, so that a client can resume.</summary>
    public async Task StatusAsync(HttpContext context, RegistryName name, string uploadId)
    {
        var repository = await registry.ForPullAsync(context, name, AccessAction.Push);
        var session = UploadId.Parse(uploadId);
        var status = await StatusOfAsync(context, repository, session);
        SetUploadHeaders(context, name, session, status.Size);
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    /// <summary>DELETE a session: cancels it and drops its bytes.</summary>
    public async Task CancelAsync(HttpContext context, RegistryName name, string uploadId)
    {
        var repository = await registry.ForPullAsync(context, name, AccessAction.Push);
        var session = UploadId.Parse(uploadId);
        var claim = await CheckSessionAsync(context, repository, session);
        await uploads.DeleteAsync(session, (await access.CallerAsync(context)).UploadOwner, claim, context.RequestAborted);
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    /// <summary>The claim by which the session is used: checked here, so that a session of another repository is unknown.</summary>
    private async Task<SessionClaim> CheckSessionAsync(HttpContext context, Repository repository, UploadId uploadId)
    {
        _ = await StatusOfAsync(context, repository, uploadId);
        return await ClaimAsync(context, repository);
    }

    private async Task<UploadStatus> StatusOfAsync(HttpContext context, Repository repository, UploadId uploadId)
    {
        var caller = await access.CallerAsync(context);
        var status = await uploads.GetAsync(uploadId, caller.UploadOwner, await ClaimAsync(context, repository), context.RequestAborted);
        return status.Upload.Repository == repository.Id
            ? status
            : throw new RegistryException(RegistryError.BlobUploadUnknown, $"upload {uploadId} is not a session of this repository");
    }

    private async Task<SessionClaim> ClaimAsync(HttpContext context, Repository repository) =>
        new(repository.Id, (await access.CallerAsync(context)).Login!);

    private async Task<long> WriteAsync(HttpContext context, UploadId uploadId, SessionClaim claim, ContentRange? range, bool durable)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = null;
        }

        if (range is { } chunk && context.Request.ContentLength is { } length && length != chunk.Length)
        {
            throw new RegistryException(
                RegistryError.BlobUploadInvalid,
                $"Content-Range {chunk.Start}-{chunk.End} is {chunk.Length} bytes but Content-Length is {length}");
        }

        var owner = (await access.CallerAsync(context)).UploadOwner;
        var status = await uploads.WriteSegmentAsync(uploadId, range?.Start, context.Request.BodyReader, context.Request.ContentLength, strict: true, owner, claim, durable, context.RequestAborted);
        if (range is { } written && status.Size != written.End + 1)
        {
            throw new RegistryException(
                RegistryError.BlobUploadInvalid,
                $"the chunk said it ends at byte {written.End} but the upload now holds {status.Size} bytes");
        }

        return status.Size;
    }

    private async Task CompleteAsync(HttpContext context, Repository repository, RegistryName name, UploadId uploadId, SessionClaim claim, Digest digest)
    {
        var command = new ImportUploadCommand(uploadId, DockerUnitTypes.Blob, new JsonObject { [DockerUnitTypes.Fields.Digest] = digest.ToString() }, [], null);
        await imports.ImportUploadAsync(
            repository.Id,
            command,
            (await access.CallerAsync(context)).UploadOwner,
            claim,
            (work, blob) => events.AnnounceAsync(work, EventActions.Push, RegistryEvents.Blob(context, name, blob)),
            context.RequestAborted);
        await audit.RecordAsync(context, "push.blob", $"{name}@{digest}");
        context.Response.Headers.Location = RegistryApi.BlobLocation(name, digest);
        context.Response.Headers[RegistryApi.ContentDigestHeader] = digest.ToString();
        context.Response.StatusCode = StatusCodes.Status201Created;
    }

    /// <summary>
    /// Mounts a blob of another repository here: a promotion of that one blob, when the client names that repository,
    /// may read it, the blob is there and this repository has an importer for blobs. Anything less falls back to a fresh
    /// session, as the spec asks.
    /// </summary>
    private async Task<bool> TryMountAsync(HttpContext context, Repository repository, RegistryName name, Digest digest, string from)
    {
        var cancellationToken = context.RequestAborted;
        if (!RegistryName.TryParse(from, out var sourceName, out _) ||
            await registry.FindAsync(sourceName, cancellationToken) is not { } source ||
            !(await access.CallerAsync(context)).AllowedOn(source).HasFlag(AccessAction.Pull) ||
            await content.FindBlobAsync(source, digest, cancellationToken) is not { } blob ||
            await promotion.TryPromoteAsync(
                repository,
                source,
                blob,
                (work, _) => events.AnnounceAsync(work, EventActions.Mount, RegistryEvents.Blob(context, name, blob, sourceName.Value)),
                cancellationToken) is null)
        {
            // Unknown, not the caller's to read, not there, or not for this repository: nothing to mount from.
            return false;
        }

        context.Response.Headers.Location = RegistryApi.BlobLocation(name, digest);
        context.Response.Headers[RegistryApi.ContentDigestHeader] = digest.ToString();
        context.Response.StatusCode = StatusCodes.Status201Created;
        return true;
    }

    /// <summary>
    /// The repository a session or a mount goes to. A mount also reads its source: a client challenged for the
    /// destination alone comes back with a token that cannot mount, and sends the whole blob again. So a mount's
    /// challenge names both, as the reference registry's does: pull and push on the destination, pull on the source.
    /// </summary>
    private async Task<Repository> ForPushAsync(HttpContext context, RegistryName name, RegistryName? mountSource)
    {
        try
        {
            return await registry.ForPushAsync(context, name);
        }
        catch (AccessDeniedException e) when (mountSource is { } source && e is { Failure: AccessFailure.Unauthenticated, Scopes.Count: > 0 })
        {
            var destination = new RegistryScope(RegistryScope.Repository, name.Value, AccessAction.Pull | AccessAction.Push);
            throw new AccessDeniedException(
                AccessFailure.Unauthenticated,
                e.Message,
                source == name ? [destination] : [destination, new RegistryScope(RegistryScope.Repository, source.Value, AccessAction.Pull)]);
        }
    }

    /// <summary>The repository a mount would read from, when the request asks for a mount and names a valid source.</summary>
    private static RegistryName? MountSource(IQueryCollection query) =>
        query.ContainsKey("mount") && query.TryGetValue("from", out var from) && RegistryName.TryParse(from.ToString(), out var source, out _)
            ? source
            : null;

    private static void SetUploadHeaders(HttpContext context, RegistryName name, UploadId uploadId, long size)
    {
        context.Response.Headers.Location = RegistryApi.UploadLocation(name, uploadId);
        context.Response.Headers.Range = RegistryApi.UploadRange(size);
        context.Response.Headers[RegistryApi.UploadUuidHeader] = uploadId.Value;
        context.Response.ContentLength = 0;
    }

    private static ContentRange? ChunkRange(HttpContext context)
    {
        if (context.Request.Headers.ContentRange is not { Count: > 0 } header)
        {
            return null;
        }

        return ContentRange.TryParse(header.ToString(), out var range)
            ? range
            : throw new RegistryException(
                RegistryError.BlobUploadOutOfOrder,
                $"Content-Range '{header}' is not a range: send start-end, the inclusive byte positions of the chunk");
    }

    private static Digest ParseDigest(string? text) =>
        Digest.TryParse(text, out var digest, out var problem)
            ? digest
            : throw new RegistryException(RegistryError.DigestInvalid, problem, JsonValue.Create(text));
}
