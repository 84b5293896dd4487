using System.Text.Json.Nodes;
using Berth.Server.Access;
using Berth.Server.Content;
using Berth.Server.Events;
using Berth.Server.Membership;
using Docker.Common;
using Docker.Common.Digests;
using Docker.Common.References;
using Microsoft.Net.Http.Headers;

namespace Berth.Server.Registry;

/// <summary>Blobs of a repository: GET (with single ranges) and HEAD (end-2), DELETE (end-10).</summary>
public sealed class BlobHandler(
    RegistryRepositories registry, RepositoryContent content, IContentStore store, MembershipService membership, EventAnnouncer events)
{
    private const string OctetStream = "application/octet-stream";

    public async Task<IResult> GetAsync(HttpContext context, RegistryName name, string reference)
    {
        var digest = ParseDigest(reference);
        var repository = await registry.ForPullAsync(context, name);
        var blob = await content.FindBlobAsync(repository, digest, context.RequestAborted) ?? throw Unknown(digest, name);
        context.Response.Headers[RegistryApi.ContentDigestHeader] = digest.ToString();
        if (HttpMethods.IsHead(context.Request.Method))
        {
            // HEAD answers from the unit's metadata: the blob's bytes are not touched.
            context.Response.ContentType = OctetStream;
            context.Response.ContentLength = blob.Metadata[DockerUnitTypes.Fields.Size]!.GetValue<long>();
            context.Response.Headers.AcceptRanges = "bytes";
            context.Response.Headers.ETag = $"\"{digest}\"";
            return Results.Empty;
        }

        RefuseUnsatisfiableRange(context.Request, blob.Metadata[DockerUnitTypes.Fields.Size]!.GetValue<long>());
        var path = store.LocalPath(digest) ?? throw Unknown(digest, name);
        await events.AnnouncePullAsync(name.Value, () => RegistryEvents.Blob(context, name, blob));
        return Results.File(path, OctetStream, enableRangeProcessing: true, entityTag: new EntityTagHeaderValue($"\"{digest}\""));
    }

    /// <summary>
    /// A single range that starts past the end (or asks for no bytes at all) is refused here, in the registry's
    /// envelope; the file result would answer it with an empty 416. Anything else is left to the file result.
    /// </summary>
    private static void RefuseUnsatisfiableRange(HttpRequest request, long size)
    {
        if (request.GetTypedHeaders().Range is not { Unit.Value: "bytes", Ranges.Count: 1 } range)
        {
            return;
        }

        var only = range.Ranges.Single();
        if (only.From is { } from ? from < size : only.To is > 0 && size > 0)
        {
            return;
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
