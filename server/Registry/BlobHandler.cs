using System.Text.Json.Nodes;
using Berth.Plugins;
using Berth.Server.Access;
using Berth.Server.Content;
using Berth.Server.Events;
using Berth.Server.Membership;
using Berth.Server.PullThrough;
using Docker.Common;
using Docker.Common.Digests;
using Docker.Common.References;
using Microsoft.Net.Http.Headers;

namespace Berth.Server.Registry;

/// <summary>Blobs of a repository: GET (with single ranges) and HEAD (end-2), DELETE (end-10).</summary>
public sealed class BlobHandler(
    RegistryRepositories registry,
    RepositoryContent content,
    IContentStore store,
    MembershipService membership,
    EventAnnouncer events,
    PullThroughService pullThrough)
{
    internal const string OctetStream = System.Net.Mime.MediaTypeNames.Application.Octet;

    public async Task<IResult> GetAsync(HttpContext context, RegistryName name, string reference)
    {
        var digest = ParseDigest(reference);
        var repository = await registry.ForPullAsync(context, name);
        var blob = await content.FindBlobAsync(repository, digest, context.RequestAborted);
        if (blob is null)
        {
            return await pullThrough.SourceAsync(repository.Id, context.RequestAborted) is { } source
                ? await FromFeedAsync(context, name, source, digest)
                : throw Unknown(digest, name);
        }

        context.Response.Headers[RegistryApi.ContentDigestHeader] = digest.ToString();
        var size = blob.Metadata[DockerUnitTypes.Fields.Size]!.GetValue<long>();
        var entityTag = new EntityTagHeaderValue($"\"{digest}\"");
        if (HttpMethods.IsHead(context.Request.Method))
        {
            // HEAD answers from the unit's metadata: the blob's bytes are not touched, wherever they are stored.
            context.Response.ContentType = OctetStream;
            context.Response.ContentLength = size;
            context.Response.Headers.AcceptRanges = "bytes";
            context.Response.Headers.ETag = entityTag.ToString();
            return Results.Empty;
        }

        // The client's copy is current: answered before its range is looked at (RFC 9110, 13.2.2).
        if (NotModified(context.Request, entityTag))
        {
            context.Response.Headers.ETag = entityTag.ToString();
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        var range = RequestedRange(context.Request, size, entityTag);
        await events.AnnouncePullAsync(name.Value, () => RegistryEvents.Blob(context, name, blob));

        // A presigned address (the content store's setting): the client fetches the bytes, and its range, from the store.
        // Not when an If-Range names another version: the store knows nothing of the digest as entity tag, and would
        // answer the range anyway.
        if (!IfRangeNamesAnother(context.Request, entityTag) && store.DirectUrl(digest) is { } direct)
        {
            return Results.Redirect(direct.AbsoluteUri, permanent: false, preserveMethod: true);
        }

        var read = await store.OpenReadAsync(digest, range, context.RequestAborted) ?? throw Unknown(digest, name);
        return new BlobContentResult(read, range, size, entityTag);
    }

    /// <summary>
    /// A blob a pull-through cache lacks, streamed from its feed while the import of the image it belongs to stores it
    /// (one download for both, and for every client asking at once). Served whole, whatever range was asked for.
    /// </summary>
    private async Task<IResult> FromFeedAsync(HttpContext context, RegistryName name, PullThroughSource source, Digest digest)
    {
        if (HttpMethods.IsHead(context.Request.Method) && pullThrough.LengthInFlight(source, digest) is { } inFlight)
        {
            context.Response.Headers[RegistryApi.ContentDigestHeader] = digest.ToString();
            context.Response.ContentType = OctetStream;
            context.Response.ContentLength = inFlight;
            return Results.Empty;
        }

        FeedContent feed;
        try
        {
            feed = await pullThrough.OpenBlobAsync(source, digest, context.RequestAborted);
        }
        catch (ContentException e) when (PullThroughService.FeedLacks(e))
        {
            throw new RegistryException(
                RegistryError.BlobUnknown, $"blob {digest} is neither in repository '{name}' nor at its upstream {source.Policy.Feed}", JsonValue.Create(digest.ToString()));
        }
        catch (ContentException e)
        {
            throw new RegistryException(RegistryError.FeedFailed, $"repository '{name}' could not fetch blob {digest} from its upstream {source.Policy.Feed}: {e.Message}");
        }

        context.Response.Headers[RegistryApi.ContentDigestHeader] = digest.ToString();
        if (HttpMethods.IsHead(context.Request.Method))
        {
            await feed.DisposeAsync();
            context.Response.ContentType = OctetStream;
            context.Response.ContentLength = feed.Length;
            return Results.Empty;
        }

        return new BlobContentResult(new ContentRead(feed.Content, feed.Length), null, feed.Length, new EntityTagHeaderValue($"\"{digest}\""));
    }

    private static bool NotModified(HttpRequest request, EntityTagHeaderValue entityTag) =>
        request.GetTypedHeaders().IfNoneMatch is { Count: > 0 } tags && tags.Any(tag => tag.Equals(EntityTagHeaderValue.Any) || tag.Compare(entityTag, useStrongComparison: false));

    /// <summary>An <c>If-Range</c> that is not this blob's entity tag (another, or a date: blobs have none): the whole blob is wanted.</summary>
    private static bool IfRangeNamesAnother(HttpRequest request, EntityTagHeaderValue entityTag) =>
        request.GetTypedHeaders().IfRange is { } condition && condition.EntityTag?.Compare(entityTag, useStrongComparison: true) != true;

    /// <summary>
    /// The one range asked for, within the blob, or <see langword="null"/> for the whole blob: no range, several ranges
    /// (served whole, as ASP.NET's file results do), or an <c>If-Range</c> that names another version. A single range
    /// that starts past the end (or asks for no bytes at all) is refused, in the registry's envelope.
    /// </summary>
    private static ByteRange? RequestedRange(HttpRequest request, long size, EntityTagHeaderValue entityTag)
    {
        if (request.GetTypedHeaders().Range is not { Unit.Value: "bytes", Ranges.Count: 1 } range || IfRangeNamesAnother(request, entityTag))
        {
            return null;
        }

        var only = range.Ranges.Single();
        if (only.From is { } from && from < size)
        {
            var last = only.To is { } to ? Math.Min(to, size - 1) : size - 1;
            return new ByteRange(from, last - from + 1);
        }

        if (only.From is null && only.To is { } suffix && suffix > 0 && size > 0)
        {
            var length = Math.Min(suffix, size);
            return new ByteRange(size - length, length);
        }

        throw new RegistryException(RegistryError.RangeNotSatisfiable, $"the range {range} is outside the blob's {size} bytes")
        {
            Headers = { [HeaderNames.ContentRange] = $"bytes */{size}" },
        };
    }

    /// <summary>DELETE a blob from the repository, unless a manifest there still needs it.</summary>
    public async Task<IResult> DeleteAsync(HttpContext context, RegistryName name, string reference)
    {
        var digest = ParseDigest(reference);
        var repository = await registry.ForPullAsync(context, name, AccessAction.Delete);
        var blob = await content.FindBlobAsync(repository, digest, context.RequestAborted) ?? throw Unknown(digest, name);
        await membership.RemoveAsync(
            repository.Id,
            graph => [blob],
            "delete.blob",
            $"{name}@{digest}",
            (work, _) => events.AnnounceAsync(work, EventActions.Delete, RegistryEvents.Blob(context, name, blob)),
            context.RequestAborted);
        return Results.StatusCode(StatusCodes.Status202Accepted);
    }

    private static Digest ParseDigest(string reference) =>
        Digest.TryParse(reference, out var digest, out var problem)
            ? digest
            : throw new RegistryException(RegistryError.DigestInvalid, problem, JsonValue.Create(reference));

    private static RegistryException Unknown(Digest digest, RegistryName name) =>
        new(RegistryError.BlobUnknown, $"blob {digest} is not in repository '{name}'", JsonValue.Create(digest.ToString()));
}
