using System.Text.Json.Nodes;
using Berth.Server.Access;
using Berth.Server.Content;
using Berth.Server.Units;
using Docker.Common;
using Docker.Common.Digests;
using Docker.Common.References;
using Microsoft.Net.Http.Headers;

namespace Berth.Server.Registry;

/// <summary>Blobs of a repository: GET (with single ranges) and HEAD (end-2), DELETE (end-10).</summary>
public sealed class BlobHandler(RegistryRepositories registry, RepositoryContent content, IContentStore store, IUnitStore units, Audit audit)
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

        var path = store.LocalPath(digest) ?? throw Unknown(digest, name);
        return Results.File(path, OctetStream, enableRangeProcessing: true, entityTag: new EntityTagHeaderValue($"\"{digest}\""));
    }

    public async Task<IResult> DeleteAsync(HttpContext context, RegistryName name, string reference)
    {
        var digest = ParseDigest(reference);
        var repository = await registry.ForPullAsync(context, name, AccessAction.Delete);
        var blob = await content.FindBlobAsync(repository, digest, context.RequestAborted) ?? throw Unknown(digest, name);
        await units.UnassociateAsync(repository.Id, [blob.Id!], context.RequestAborted);
        await audit.RecordAsync(context, "delete.blob", $"{name}@{digest}");
        return Results.StatusCode(StatusCodes.Status202Accepted);
    }

    private static Digest ParseDigest(string reference) =>
        Digest.TryParse(reference, out var digest, out var problem)
            ? digest
            : throw new RegistryException(RegistryError.DigestInvalid, problem, JsonValue.Create(reference));

    private static RegistryException Unknown(Digest digest, RegistryName name) =>
        new(RegistryError.BlobUnknown, $"blob {digest} is not in repository '{name}'", JsonValue.Create(digest.ToString()));
}
