using System.Text.Json.Nodes;
using Berth.Plugins;
using Docker.Common;
using Docker.Common.Digests;
using Docker.Common.Manifests;
using Docker.Common.References;

namespace Docker.ManifestImporter;

/// <summary>Imports a manifest or a manifest list / index: verify, parse, check references, store, save, tag.</summary>
internal static class ManifestImport
{
    private static readonly string[] ManifestTypes = [DockerUnitTypes.Manifest, DockerUnitTypes.ManifestList];

    public static async Task<Unit> ImportAsync(ImportRequest request, IImportConduit conduit, bool isList, CancellationToken cancellationToken)
    {
        var typeId = isList ? DockerUnitTypes.ManifestList : DockerUnitTypes.Manifest;
        RequestFields.RejectUnknown(request.UnitKey, "unit_key", ContentError.InvalidUnitKey, DockerUnitTypes.Fields.Digest);
        RequestFields.RejectUnknown(request.UnitMetadata, "unit_metadata", ContentError.InvalidUnitMetadata, DockerUnitTypes.Fields.Tag);
        var declared = ReadDeclaredDigest(request.UnitKey);
        var tag = ReadTag(request.UnitMetadata);
        var ceiling = ManifestImporterConfig.MaxDocument(request);
        var upload = request.Upload ?? throw new ContentException(
            ContentError.UploadRequired,
            $"a {typeId} import needs the manifest's bytes: create an upload, send the bytes, and pass its upload_id");

        var document = new Document(typeId, declared, tag, request.Limits);
        if (!isList && await SkopeoDirArchive.IsArchiveAsync(upload, cancellationToken).ConfigureAwait(false))
        {
            return await ImportArchiveAsync(upload, document, ceiling, conduit, cancellationToken).ConfigureAwait(false);
        }

        ceiling.Check(upload.Length);
        using (await conduit.ReserveMemoryAsync(upload.Length, cancellationToken).ConfigureAwait(false))
        {
            var bytes = upload.TryGetContent(out var held) ? held : await ReadWholeAsync(upload, cancellationToken).ConfigureAwait(false);
            return await ImportDocumentAsync(bytes, document, conduit, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<byte[]> ReadWholeAsync(IUploadedFile upload, CancellationToken cancellationToken)
    {
        var bytes = new byte[upload.Length];
        var stream = upload.OpenRead();
        await using (stream.ConfigureAwait(false))
        {
            await stream.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
        }

        return bytes;
    }

    /// <summary>
    /// A skopeo dir: tar. Everything about the manifest is checked before any of the archive's blobs is imported; the
    /// manifest is not held in memory while they are (that may take minutes), but read again afterwards, and must
    /// then hash to what was checked.
    /// </summary>
    private static async Task<Unit> ImportArchiveAsync(
        IUploadedFile upload, Document document, DocumentCeiling ceiling, IImportConduit conduit, CancellationToken cancellationToken)
    {
        var archive = await SkopeoDirArchive.OpenAsync(upload, document.Limits, cancellationToken).ConfigureAwait(false);
        ceiling.Check(archive.Manifest.Size);
        Digest digest;
        IReadOnlySet<Digest> needed;
        using (await conduit.ReserveMemoryAsync(archive.Manifest.Size, cancellationToken).ConfigureAwait(false))
        {
            var (checkedDigest, manifest) = Verify(await archive.ReadManifestAsync(cancellationToken).ConfigureAwait(false), document);
            digest = checkedDigest;
            needed = await archive.NeededBlobsAsync((ImageManifest)manifest, conduit, document.Limits, cancellationToken).ConfigureAwait(false);
        }

        await archive.ImportBlobsAsync(conduit, needed, cancellationToken).ConfigureAwait(false);
        using (await conduit.ReserveMemoryAsync(archive.Manifest.Size, cancellationToken).ConfigureAwait(false))
        {
            var bytes = await archive.ReadManifestAsync(cancellationToken).ConfigureAwait(false);
            return await ImportDocumentAsync(bytes, document with { Declared = digest }, conduit, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Checks a manifest document (its digest, its shape, what it references), then stores, saves and tags it.</summary>
    private static async Task<Unit> ImportDocumentAsync(ReadOnlyMemory<byte> bytes, Document document, IImportConduit conduit, CancellationToken cancellationToken)
    {
        var (digest, manifest) = Verify(bytes, document);
        if (manifest is ImageIndex index)
        {
            await CheckManifestsPresentAsync(conduit, index, document.Limits, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await CheckBlobsPresentAsync(conduit, (ImageManifest)manifest, document.Limits, cancellationToken).ConfigureAwait(false);
        }

        var stored = await conduit.StoreContentAsync(bytes, digest.ToString(), cancellationToken).ConfigureAwait(false);
        var unit = await conduit.SaveUnitAsync(
            new Unit
            {
                TypeId = document.TypeId,
                Key = UnitKey.Of(DockerUnitTypes.Fields.Digest, stored.Digest),
                ContentDigest = stored.Digest,
                Metadata = ManifestUnitMetadata.Describe(manifest, digest, stored.Size),
            },
            cancellationToken).ConfigureAwait(false);
        await conduit.AssociateAsync(unit, cancellationToken).ConfigureAwait(false);

        if (document.Tag is { } name)
        {
            await TagImport.TagAsync(conduit, name, digest, cancellationToken).ConfigureAwait(false);
        }

        return unit;
    }

    /// <summary>The document's digest (which must be the declared one, if any) and its parsed form, of the right kind.</summary>
    private static (Digest Digest, Manifest Manifest) Verify(ReadOnlyMemory<byte> bytes, Document document)
    {
        var digest = Digest.Compute(bytes.Span, document.Declared?.Algorithm);
        if (document.Declared is { } expected && expected != digest)
        {
            throw new ContentException(
                ContentError.DigestMismatch,
                $"the uploaded manifest hashes to {digest}, not to {expected}; the bytes are stored and served exactly as sent, so the digest must be of those bytes",
                new JsonObject { ["expected"] = expected.ToString(), ["actual"] = digest.ToString() });
        }

        return (digest, Parse(bytes, document));
    }

    private static Digest? ReadDeclaredDigest(JsonObject unitKey)
    {
        var text = RequestFields.OptionalString(unitKey, DockerUnitTypes.Fields.Digest, "unit_key", ContentError.InvalidUnitKey);
        if (text is null)
        {
            return null;
        }

        return Digest.TryParse(text, out var digest, out var problem)
            ? digest
            : throw new ContentException(ContentError.DigestInvalid, $"unit_key.digest: {problem}");
    }

    private static TagName? ReadTag(JsonObject unitMetadata)
    {
        var text = RequestFields.OptionalString(unitMetadata, DockerUnitTypes.Fields.Tag, "unit_metadata", ContentError.InvalidUnitMetadata);
        if (text is null)
        {
            return null;
        }

        return TagName.TryParse(text, out var tag, out var problem)
            ? tag
            : throw new ContentException(ContentError.TagInvalid, $"unit_metadata.tag: {problem}");
    }

    private static Manifest Parse(ReadOnlyMemory<byte> bytes, Document document)
    {
        Manifest manifest;
        try
        {
            manifest = ManifestParser.Parse(bytes, document.Limits.MaxDocumentReferences);
        }
        catch (ManifestInvalidException e)
        {
            throw new ContentException(
                ContentError.ManifestInvalid,
                $"the upload is not a valid manifest: {e.Message}",
                new JsonObject { ["problems"] = new JsonArray([.. e.Problems.Select(p => JsonValue.Create(p))]) });
        }

        return (document.TypeId, manifest) switch
        {
            (DockerUnitTypes.Manifest, ImageIndex) => throw new ContentException(
                ContentError.ManifestInvalid,
                $"the upload is a manifest list or index ({manifest.EffectiveMediaType}); import it with unit_type_id {DockerUnitTypes.ManifestList}"),
            (DockerUnitTypes.ManifestList, ImageManifest) => throw new ContentException(
                ContentError.ManifestInvalid,
                $"the upload is an image manifest ({manifest.EffectiveMediaType}); import it with unit_type_id {DockerUnitTypes.Manifest}"),
            _ => manifest,
        };
    }

    private static async Task CheckBlobsPresentAsync(IImportConduit conduit, ImageManifest manifest, ImportLimits limits, CancellationToken cancellationToken)
    {
        var needed = manifest.RegistryBlobs.ToList();
        var found = await FindAsync(conduit, [DockerUnitTypes.Blob], needed, cancellationToken).ConfigureAwait(false);
        var missing = needed.Where(d => !found.ContainsKey(d.Digest.ToString())).Select(d => d.Digest.ToString()).Distinct().ToList();
        if (missing.Count > 0)
        {
            throw new ContentException(
                ContentError.ManifestBlobUnknown,
                $"the manifest references {Refusal.Count(missing.Count, "blob")} not in repository '{conduit.RepositoryId}': {Refusal.Name(missing)}; import {(missing.Count == 1 ? "it" : "them")} as docker_blob first",
                Refusal.Details("missing_blobs", missing, limits));
        }

        CheckSizes(needed, found, "blob");
    }

    private static async Task CheckManifestsPresentAsync(IImportConduit conduit, ImageIndex index, ImportLimits limits, CancellationToken cancellationToken)
    {
        var found = await FindAsync(conduit, ManifestTypes, index.Manifests, cancellationToken).ConfigureAwait(false);
        var missing = index.Manifests.Where(d => !found.ContainsKey(d.Digest.ToString())).Select(d => d.Digest.ToString()).Distinct().ToList();
        if (missing.Count > 0)
        {
            throw new ContentException(
                ContentError.ManifestUnknown,
                $"the list references {Refusal.Count(missing.Count, "manifest")} not in repository '{conduit.RepositoryId}': {Refusal.Name(missing)}; import {(missing.Count == 1 ? "it" : "them")} first",
                Refusal.Details("missing_manifests", missing, limits));
        }

        CheckSizes(index.Manifests, found, "manifest");
        var wrongTypes = index.Manifests
            .Select(d => (d.Digest, Declared: d.MediaType, Actual: found[d.Digest.ToString()].Metadata[DockerUnitTypes.Fields.MediaType]?.GetValue<string>()))
            .Where(m => m.Actual is not null && m.Actual != m.Declared)
            .Select(m => $"{m.Digest} is declared {m.Declared} but is {m.Actual}")
            .ToList();
        if (wrongTypes.Count > 0)
        {
            throw new ContentException(ContentError.ManifestInvalid, $"the list declares wrong media types: {Refusal.Name(wrongTypes, "; ")}");
        }
    }

    private static async Task<Dictionary<string, Unit>> FindAsync(
        IImportConduit conduit, IEnumerable<string> typeIds, IEnumerable<Descriptor> descriptors, CancellationToken cancellationToken)
    {
        var keys = descriptors.Select(d => UnitKey.Of(DockerUnitTypes.Fields.Digest, d.Digest.ToString())).Distinct().ToList();
        var found = new Dictionary<string, Unit>(StringComparer.Ordinal);
        foreach (var typeId in typeIds)
        {
            foreach (var unit in await conduit.FindRepositoryUnitsAsync(typeId, keys, cancellationToken).ConfigureAwait(false))
            {
                found[unit.Key[DockerUnitTypes.Fields.Digest]!] = unit;
            }
        }

        return found;
    }

    private static void CheckSizes(IEnumerable<Descriptor> descriptors, Dictionary<string, Unit> found, string noun)
    {
        var wrong = descriptors
            .Where(d => found.ContainsKey(d.Digest.ToString()))
            .Select(d => (d.Digest, d.Size, Actual: found[d.Digest.ToString()].Metadata[DockerUnitTypes.Fields.Size]?.GetValue<long>()))
            .Where(d => d.Actual is not null && d.Actual != d.Size)
            .Select(d => $"{d.Digest} is declared {d.Size} bytes but the {noun} is {d.Actual} bytes")
            .ToList();
        if (wrong.Count > 0)
        {
            throw new ContentException(ContentError.ManifestInvalid, $"the document declares wrong sizes: {Refusal.Name(wrong, "; ")}");
        }
    }

    /// <summary>What one import is asked to make of a document, and within which limits.</summary>
    private sealed record Document(string TypeId, Digest? Declared, TagName? Tag, ImportLimits Limits);
}
