using System.Buffers;
using System.Text.Json.Nodes;
using Berth.Plugins;
using Berth.Server.Access;
using Berth.Server.Configuration;
using Berth.Server.Content;
using Berth.Server.Imports;
using Berth.Server.Orphans;
using Berth.Server.Promotion;
using Berth.Server.TagHistory;
using Berth.Server.Units;
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
    IUnitStore units,
    ImportService imports,
    TagHistoryRecorder tagHistory,
    Audit audit,
    IOptions<BerthOptions> options,
    ReferenceGuard guard,
    ImportMemoryBudget memoryBudget)
{
    public async Task<IResult> GetAsync(HttpContext context, RegistryName name, string reference)
    {
        var repository = await registry.ForPullAsync(context, name);
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
        return Results.Bytes(bytes, mediaType);
    }

    public async Task<IResult> PutAsync(HttpContext context, RegistryName name, string reference)
    {
        var target = ManifestReference.Parse(reference);
        var repository = await registry.ForPushAsync(context, name);
        var limits = options.Value.Imports;
        var bytes = await ReadBodyAsync(context.Request, limits.MaxDocumentBytes, context.RequestAborted);

        // The body is what the client sent; what checking it takes comes out of the budget, as an import's would.
        using var held = await memoryBudget.ReserveAsync(bytes.Length, context.RequestAborted);
        var manifest = Parse(bytes, limits.MaxDocumentReferences, context.Request.ContentType);
        var unitType = manifest is ImageIndex ? DockerUnitTypes.ManifestList : DockerUnitTypes.Manifest;
        var key = target.Digest is { } expected ? new JsonObject { [DockerUnitTypes.Fields.Digest] = expected.ToString() } : [];
        var metadata = target.Tag is { } tag ? new JsonObject { [DockerUnitTypes.Fields.Tag] = tag.Value } : [];
        var unit = await imports.ImportContentAsync(repository.Id, unitType, key, metadata, bytes, held, context.RequestAborted);

        var digest = Digest.Parse(unit.ContentDigest!);
        await audit.RecordAsync(context, "push.manifest", $"{name}@{digest}", target.Tag is { } pushedTag ? $"tag {pushedTag}" : null);
        context.Response.Headers.Location = RegistryApi.ManifestLocation(name, digest);
        context.Response.Headers[RegistryApi.ContentDigestHeader] = digest.ToString();
        if (manifest.Subject is { } subject)
        {
            context.Response.Headers[RegistryApi.SubjectHeader] = subject.Digest.ToString();
        }

        return Results.StatusCode(StatusCodes.Status201Created);
    }

    /// <summary>DELETE by tag removes that tag only; by digest, the manifest and every tag of it in the repository.</summary>
    public async Task<IResult> DeleteAsync(HttpContext context, RegistryName name, string reference)
    {
        var repository = await registry.ForPullAsync(context, name, AccessAction.Delete);
        var target = ManifestReference.Parse(reference);
        if (target.Tag is { } tag)
        {
            var tagUnit = await content.FindTagAsync(repository, tag, context.RequestAborted)
                ?? throw new RegistryException(RegistryError.ManifestUnknown, $"tag '{tag}' is not in repository '{name}'", JsonValue.Create(tag.Value));
            var tagKeys = RemovalService.Condemn(guard, repository.Id, [tagUnit]);
            try
            {
                await units.UnassociateAsync(repository.Id, [tagUnit.Id!], context.RequestAborted);
            }
            finally
            {
                guard.Release(tagKeys);
            }

            await tagHistory.RecordAsync(repository.Id, tag.Value, tagUnit.Metadata[DockerUnitTypes.Fields.ManifestDigest]?.GetValue<string>(), null, context.RequestAborted);
            await audit.RecordAsync(context, "delete.tag", $"{name}:{tag}");
            return Results.StatusCode(StatusCodes.Status202Accepted);
        }

        var manifest = await content.ResolveManifestAsync(repository, reference, context.RequestAborted);

        // The manifest's place condemned first: a push under way that tags it holds that place, and one that
        // comes after waits; the tags are read only then, so that none is left pointing at nothing.
        var keys = RemovalService.Condemn(guard, repository.Id, [manifest]);
        List<Unit> tags;
        try
        {
            tags = [.. (await content.AllAsync(repository, [DockerUnitTypes.Tag], context.RequestAborted))
                .Where(t => t.Metadata[DockerUnitTypes.Fields.ManifestDigest]?.GetValue<string>() == manifest.ContentDigest)];
            await units.UnassociateAsync(repository.Id, [manifest.Id!, .. tags.Select(t => t.Id!)], context.RequestAborted);
        }
        finally
        {
            guard.Release(keys);
        }

        var removed = tags.Select(t => t.Id!).ToList();
        foreach (var tagUnit in tags)
        {
            await tagHistory.RecordAsync(repository.Id, tagUnit.Key[DockerUnitTypes.Fields.Name]!, manifest.ContentDigest, null, context.RequestAborted);
        }

        await audit.RecordAsync(context, "delete.manifest", $"{name}@{manifest.ContentDigest}", $"{removed.Count} tags");
        return Results.StatusCode(StatusCodes.Status202Accepted);
    }

    /// <summary>
    /// The body, refused once it passes the ceiling. The buffer grows with what arrives rather than with what the
    /// Content-Length promises, so a client that declares 4 MiB and trickles a byte holds no more than that byte.
    /// </summary>
    private static async Task<ReadOnlyMemory<byte>> ReadBodyAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            throw TooLarge(maxBytes);
        }

        var body = new ArrayBufferWriter<byte>();
        int read;
        while ((read = await request.Body.ReadAsync(body.GetMemory(64 * 1024), cancellationToken)) > 0)
        {
            body.Advance(read);
            if (body.WrittenCount > maxBytes)
            {
                throw TooLarge(maxBytes);
            }
        }

        return body.WrittenMemory;
    }

    /// <summary>Parses the document to route it to the right unit type, and checks it against the Content-Type it was sent with.</summary>
    private static Manifest Parse(ReadOnlyMemory<byte> bytes, int maxReferences, string? contentType)
    {
        Manifest manifest;
        try
        {
            manifest = ManifestParser.Parse(bytes, maxReferences);
        }
        catch (ManifestInvalidException e)
        {
            throw new ContentException(
                ContentError.ManifestInvalid,
                $"the manifest is invalid: {e.Message}",
                new JsonObject { ["problems"] = new JsonArray([.. e.Problems.Select(p => JsonValue.Create(p))]) });
        }

        var declared = contentType?.Split(';')[0].Trim();
        if ((MediaTypes.IsImageManifest(declared) || MediaTypes.IsIndex(declared)) && declared != manifest.EffectiveMediaType)
        {
            throw new ContentException(
                ContentError.ManifestInvalid,
                $"the manifest was sent as {declared} but it is {manifest.EffectiveMediaType}");
        }

        return manifest;
    }

    private static RegistryException TooLarge(long maxBytes) =>
        new(RegistryError.TooLarge, $"the manifest is larger than {maxBytes} bytes, the most this registry accepts");
}
