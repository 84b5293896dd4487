using System.Buffers;
using System.Text.Json.Nodes;
using Berth.Plugins;
using Berth.Server.Access;
using Berth.Server.Configuration;
using Berth.Server.Content;
using Berth.Server.Events;
using Berth.Server.Imports;
using Berth.Server.Membership;
using Berth.Server.PullThrough;
using Berth.Server.Repositories;
using Berth.Server.Storage;
using Docker.Common;
using Docker.Common.Digests;
using Docker.Common.Manifests;
using Docker.Common.References;
using Microsoft.Extensions.Options;

namespace Berth.Server.Registry;

/// <summary>
/// Manifests: GET and HEAD by tag or digest (end-3), PUT (end-7), DELETE (end-9). A pushed manifest goes to
/// the repository's manifest importer, as <c>import_upload</c> does; its exact bytes are stored and served.
/// </summary>
public sealed class ManifestHandler(
    RegistryRepositories registry,
    RepositoryContent content,
    ContentCache cache,
    ImportService imports,
    MembershipService membership,
    Audit audit,
    IOptions<BerthOptions> options,
    ImportMemoryBudget memoryBudget,
    DataLayout layout,
    EventAnnouncer events,
    PullThroughService pullThrough,
    ILogger<ManifestHandler> logger)
{
    private const int BodySegmentBytes = 64 * 1024;

    public async Task<IResult> GetAsync(HttpContext context, RegistryName name, string reference)
    {
        // Only a reference that names a manifest goes upstream, to make a cache or to fill one.
        var named = ManifestReference.TryParse(reference, out var wanted, out _);
        var repository = await registry.ForPullAsync(context, name, cacheReference: named ? reference : null);
        if (named && await pullThrough.SourceAsync(repository.Id, context.RequestAborted) is { } source
            && await FromFeedAsync(context, repository, source, wanted, reference) is { } fetched)
        {
            return fetched;
        }

        var manifest = await content.ResolveManifestAsync(repository, reference, context.RequestAborted);
        var digest = Digest.Parse(manifest.ContentDigest!);
        var mediaType = manifest.Metadata[DockerUnitTypes.Fields.MediaType]!.GetValue<string>();
        context.Response.Headers[RegistryApi.ContentDigestHeader] = digest.ToString();
        context.Response.Headers.ETag = $"\"{digest}\"";
        if (HttpMethods.IsHead(context.Request.Method))
        {
            context.Response.ContentType = mediaType;
            context.Response.ContentLength = manifest.Metadata[DockerUnitTypes.Fields.Size]!.GetValue<long>();
            return Results.Empty;
        }

        var bytes = await cache.ReadAsync(digest, context.RequestAborted)
            ?? throw new InvalidOperationException($"manifest {digest} is a unit but its bytes are not stored");
        Diagnostics.ServerMetrics.Pulls.Add(1);
        await events.AnnouncePullAsync(name.Value, () => RegistryEvents.Manifest(context, name, manifest, ManifestReference.Parse(reference).Tag));
        return Results.Bytes(bytes, mediaType);
    }

    /// <summary>
    /// A pull-through cache's answer when it lacks the manifest, or holds a tag it has not checked with its feed lately: the
    /// feed's manifest, which the repository gets behind the answer. <see langword="null"/> when what the repository holds
    /// is current, or the feed failed and the repository holds one (a cache keeps serving while its upstream is away).
    /// </summary>
    private async Task<IResult?> FromFeedAsync(HttpContext context, Repository repository, PullThroughSource source, ManifestReference wanted, string reference)
    {
        var held = await content.FindManifestAsync(repository, wanted, context.RequestAborted);
        if (held is not null && (wanted.Tag is not { } tag || pullThrough.IsFresh(source, tag.Value)))
        {
            return null;
        }

        FeedManifest manifest;
        try
        {
            manifest = await pullThrough.FetchManifestAsync(source, reference, wanted.Tag?.Value, context.RequestAborted);
        }
        catch (ContentException e) when (held is not null)
        {
            logger.LogWarning("Serving {Reference} of pull-through cache {Repository} as held: its feed {Feed} failed: {Problem}", reference, repository.Id, source.Policy.Feed, e.Message);
            return null;
        }
        catch (ContentException e) when (PullThroughService.FeedLacks(e))
        {
            throw new RegistryException(
                RegistryError.ManifestUnknown, $"manifest '{reference}' is neither in repository '{repository.RegistryName}' nor at its upstream {source.Policy.Feed}", JsonValue.Create(reference));
        }
        catch (ContentException e)
        {
            throw new RegistryException(RegistryError.FeedFailed, $"repository '{repository.RegistryName}' could not fetch '{reference}' from its upstream {source.Policy.Feed}: {e.Message}");
        }

        if (held?.ContentDigest == manifest.Digest)
        {
            return null;
        }

        context.Response.Headers[RegistryApi.ContentDigestHeader] = manifest.Digest;
        context.Response.Headers.ETag = $"\"{manifest.Digest}\"";
        if (HttpMethods.IsHead(context.Request.Method))
        {
            context.Response.ContentType = manifest.MediaType;
            context.Response.ContentLength = manifest.Bytes.Length;
            return Results.Empty;
        }

        Diagnostics.ServerMetrics.Pulls.Add(1);
        return Results.Bytes(manifest.Bytes, manifest.MediaType);
    }

    public async Task<IResult> PutAsync(HttpContext context, RegistryName name, string reference)
    {
        var target = ManifestReference.Parse(reference);
        var repository = await registry.ForPushAsync(context, name);
        var limits = options.Value.Imports;
        var path = layout.NewTemporaryPath();
        var buffer = ArrayPool<byte>.Shared.Rent(BodySegmentBytes);
        Unit unit;
        try
        {
            var (spooled, length) = await ReceiveBodyAsync(context.Request, buffer, path, limits.MaxDocumentBytes, context.RequestAborted);

            // Held in memory only once it has all arrived, and under the budget, as an import's document is. It is
            // parsed once, by the importer: its top level alone says which unit type it is.
            using var held = await memoryBudget.ReserveAsync(length, context.RequestAborted);
            var bytes = spooled ? await File.ReadAllBytesAsync(path, context.RequestAborted) : buffer.AsSpan(0, (int)length).ToArray();
            var shape = Shape(bytes, context.Request.ContentType);
            var unitType = shape?.IsIndex == true ? DockerUnitTypes.ManifestList : DockerUnitTypes.Manifest;
            var key = target.Digest is { } expected ? new JsonObject { [DockerUnitTypes.Fields.Digest] = expected.ToString() } : [];
            var metadata = target.Tag is { } tag ? new JsonObject { [DockerUnitTypes.Fields.Tag] = tag.Value } : [];
            unit = await imports.ImportContentAsync(
                repository.Id,
                unitType,
                key,
                metadata,
                bytes,
                held,
                (work, imported) => events.AnnounceAsync(work, EventActions.Push, RegistryEvents.Manifest(context, name, imported, target.Tag)),
                context.RequestAborted);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            File.Delete(path);
        }

        var digest = Digest.Parse(unit.ContentDigest!);
        Diagnostics.ServerMetrics.Pushes.Add(1);
        await audit.RecordAsync(context, "push.manifest", $"{name}@{digest}", target.Tag is { } pushedTag ? $"tag {pushedTag}" : null);
        context.Response.Headers.Location = RegistryApi.ManifestLocation(name, digest);
        context.Response.Headers[RegistryApi.ContentDigestHeader] = digest.ToString();
        if (unit.Metadata[DockerUnitTypes.Fields.Subject]?.GetValue<string>() is { } subject)
        {
            context.Response.Headers[RegistryApi.SubjectHeader] = subject;
        }

        return Results.StatusCode(StatusCodes.Status201Created);
    }

    /// <summary>
    /// DELETE by tag removes that tag only; by digest, the manifest and every tag of it in the repository, unless a list
    /// or index there still needs it (its referrers do not keep it).
    /// </summary>
    public async Task<IResult> DeleteAsync(HttpContext context, RegistryName name, string reference)
    {
        var repository = await registry.ForPullAsync(context, name, AccessAction.Delete);
        var target = ManifestReference.Parse(reference);
        var unit = target.Tag is { } tag
            ? await content.FindTagAsync(repository, tag, context.RequestAborted)
                ?? throw new RegistryException(RegistryError.ManifestUnknown, $"tag '{tag}' is not in repository '{name}'", JsonValue.Create(tag.Value))
            : await content.ResolveManifestAsync(repository, reference, context.RequestAborted);
        var (action, removed) = target.Tag is { } deletedTag ? ("delete.tag", $"{name}:{deletedTag}") : ("delete.manifest", $"{name}@{unit.ContentDigest}");
        var deleted = target.Tag is { } gone ? RegistryEvents.Tag(name, gone, unit) : RegistryEvents.Manifest(context, name, unit, null);
        await membership.RemoveAsync(
            repository.Id, graph => [unit], action, removed, (work, _) => events.AnnounceAsync(work, EventActions.Delete, deleted), context.RequestAborted);
        return Results.StatusCode(StatusCodes.Status202Accepted);
    }

    /// <summary>
    /// Receives the body, refused once it passes the ceiling: into <paramref name="buffer"/> when it ends there (nearly
    /// every manifest does), else spooled to a file as it arrives. While a client sends (at the slowest rate Kestrel
    /// allows, a 4 MiB body takes hours) it holds one buffer and maybe a file, neither the memory budget nor memory
    /// outside it; a body that fits needs no file made and deleted.
    /// </summary>
    /// <returns>Whether the body went to the file at <paramref name="path"/>, and its length.</returns>
    private static async Task<(bool Spooled, long Length)> ReceiveBodyAsync(
        HttpRequest request, byte[] buffer, string path, long maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            throw TooLarge(maxBytes);
        }

        var filled = 0;
        int read;
        while (filled < buffer.Length && (read = await request.Body.ReadAsync(buffer.AsMemory(filled), cancellationToken)) > 0)
        {
            filled += read;
        }

        if (filled > maxBytes)
        {
            throw TooLarge(maxBytes);
        }

        if (filled < buffer.Length)
        {
            return (false, filled);
        }

        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous);
        await file.WriteAsync(buffer.AsMemory(0, filled), cancellationToken);
        long total = filled;
        while ((read = await request.Body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            if ((total += read) > maxBytes)
            {
                throw TooLarge(maxBytes);
            }

            await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }

        return (true, total);
    }

    /// <summary>Which unit type the document is, checked against the Content-Type it was sent with.</summary>
    private static ManifestShape? Shape(byte[] bytes, string? contentType)
    {
        var shape = ManifestShape.Read(bytes);
        var declared = contentType?.Split(';')[0].Trim();
        if ((MediaTypes.IsImageManifest(declared) || MediaTypes.IsIndex(declared)) && shape is not null && declared != shape.EffectiveMediaType)
        {
            throw new ContentException(
                ContentError.ManifestInvalid,
                $"the manifest was sent as {declared} but it is {(shape.EffectiveMediaType.Length > 0 ? shape.EffectiveMediaType : "of no readable media type")}");
        }

        return shape;
    }

    private static RegistryException TooLarge(long maxBytes) =>
        new(RegistryError.TooLarge, $"the manifest is larger than {maxBytes} bytes, the most this registry accepts");
}
