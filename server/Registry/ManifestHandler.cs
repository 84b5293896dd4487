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
    private const int BodySegmentBytes = 64 * 1024;

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

        // The body is what the client sent; checking it comes out of the budget, as an import's would. It is parsed
        // once, by the importer: its top level alone says which unit type it is.
        using var held = await memoryBudget.ReserveAsync(bytes.Length, context.RequestAborted);
        var shape = Shape(bytes, context.Request.ContentType);
        var unitType = shape?.IsIndex == true ? DockerUnitTypes.ManifestList : DockerUnitTypes.Manifest;
        var key = target.Digest is { } expected ? new JsonObject { [DockerUnitTypes.Fields.Digest] = expected.ToString() } : [];
        var metadata = target.Tag is { } tag ? new JsonObject { [DockerUnitTypes.Fields.Tag] = tag.Value } : [];
        var unit = await imports.ImportContentAsync(repository.Id, unitType, key, metadata, bytes, held, context.RequestAborted);

        var digest = Digest.Parse(unit.ContentDigest!);
        await audit.RecordAsync(context, "push.manifest", $"{name}@{digest}", target.Tag is { } pushedTag ? $"tag {pushedTag}" : null);
        context.Response.Headers.Location = RegistryApi.ManifestLocation(name, digest);
        context.Response.Headers[RegistryApi.ContentDigestHeader] = digest.ToString();
        if (unit.Metadata[DockerUnitTypes.Fields.Subject]?.GetValue<string>() is { } subject)
        {
            context.Response.Headers[RegistryApi.SubjectHeader] = subject;
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
    /// The body, refused once it passes the ceiling. It is read in pooled segments and copied once into an array of
    /// its size: what is held grows with what arrives, not with what the Content-Length promises (a client that
    /// declares 4 MiB and trickles a byte holds a segment), and no doubling buffer is left behind for the collector.
    /// </summary>
    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            throw TooLarge(maxBytes);
        }

        var segments = new List<(byte[] Buffer, int Count)>();
        try
        {
            long total = 0;
            int filled;
            do
            {
                var buffer = ArrayPool<byte>.Shared.Rent(BodySegmentBytes);
                filled = 0;
                int read;
                while (filled < buffer.Length && (read = await request.Body.ReadAsync(buffer.AsMemory(filled), cancellationToken)) > 0)
                {
                    filled += read;
                    if ((total += read) > maxBytes)
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                        throw TooLarge(maxBytes);
                    }
                }

                segments.Add((buffer, filled));
            }
            while (filled == segments[^1].Buffer.Length);

            var body = new byte[total];
            var offset = 0;
            foreach (var (buffer, count) in segments)
            {
                buffer.AsSpan(0, count).CopyTo(body.AsSpan(offset));
                offset += count;
            }

            return body;
        }
        finally
        {
            segments.ForEach(s => ArrayPool<byte>.Shared.Return(s.Buffer));
        }
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
