using System.Formats.Tar;
using System.Text;
using System.Text.Json.Nodes;
using Berth.Plugins;
using Docker.Common;
using Docker.Common.Digests;
using Docker.Common.Manifests;

namespace Docker.ManifestImporter;

/// <summary>
/// A tar of what <c>skopeo copy ... dir:PATH</c> writes, uploaded as a <c>docker_manifest</c> (as pulp_docker 3.x
/// accepted): <c>version</c>, <c>manifest.json</c>, and blobs named by their hex digest, of which those the repository
/// already has may be left out. A first pass reads the manifest and checks that every blob it needs is in the tar
/// or the repository before anything is imported; a second imports the blobs it needs through the repository's
/// blob importer; the manifest itself is then imported like any other.
/// </summary>
internal static class SkopeoDirArchive
{
    private const int TarHeaderSize = 512;
    private const int UstarMagicOffset = 257;
    private const string ManifestFile = "manifest.json";
    private const string VersionFile = "version";

    public static async Task<bool> IsArchiveAsync(IUploadedFile upload, CancellationToken cancellationToken)
    {
        if (upload.Length < TarHeaderSize)
        {
            return false;
        }

        var header = new byte[TarHeaderSize];
        var stream = upload.OpenRead();
        await using (stream.ConfigureAwait(false))
        {
            await stream.ReadExactlyAsync(header, cancellationToken).ConfigureAwait(false);
        }

        return header.AsSpan(UstarMagicOffset, 5).SequenceEqual("ustar"u8);
    }

    /// <summary>
    /// Reads the archive's manifest and works out which of the blobs it needs must come from the archive; refuses
    /// when one is neither there nor in the repository.
    /// </summary>
    public static async Task<(byte[] Manifest, IReadOnlySet<Digest> NeededBlobs)> ReadAsync(
        IUploadedFile upload, IImportConduit conduit, ManifestImporterConfig config, CancellationToken cancellationToken)
    {
        var (manifest, inArchive) = await ReadManifestAsync(upload, config, cancellationToken).ConfigureAwait(false);
        return (manifest, await NeededBlobsAsync(manifest, inArchive, conduit, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Imports the needed blobs, streamed from the archive, through the repository's blob importer.</summary>
    public static async Task ImportBlobsAsync(IUploadedFile upload, IImportConduit conduit, IReadOnlySet<Digest> needed, CancellationToken cancellationToken)
    {
        var left = needed.ToHashSet();
        var stream = upload.OpenRead();
        await using (stream.ConfigureAwait(false))
        {
            using var reader = new TarReader(stream);
            while (left.Count > 0 && await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false) is { } entry)
            {
                if (entry.DataStream is { } data && BlobDigest(entry) is { } digest && left.Remove(digest))
                {
                    await conduit.ImportNestedAsync(
                        DockerUnitTypes.Blob, data, new JsonObject { [DockerUnitTypes.Fields.Digest] = digest.ToString() }, [], cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    private static async Task<(byte[] Manifest, HashSet<Digest> Blobs)> ReadManifestAsync(IUploadedFile upload, ManifestImporterConfig config, CancellationToken cancellationToken)
    {
        byte[]? manifest = null;
        string? version = null;
        var blobs = new HashSet<Digest>();
        var stream = upload.OpenRead();
        await using (stream.ConfigureAwait(false))
        {
            using var reader = new TarReader(stream);
            try
            {
                while (await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false) is { } entry)
                {
                    if (entry.DataStream is not { } data)
                    {
                        continue;
                    }

                    switch (Path.GetFileName(entry.Name))
                    {
                        case ManifestFile:
                            ManifestImport.RefuseTooLarge(entry.Length, config.MaxManifestBytes);
                            manifest = new byte[entry.Length];
                            await data.ReadExactlyAsync(manifest, cancellationToken).ConfigureAwait(false);
                            break;
                        case VersionFile when entry.Length < 1024:
                            using (var text = new StreamReader(data, Encoding.UTF8, leaveOpen: true))
                            {
                                version = await text.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
                            }

                            break;
                        default:
                            if (BlobDigest(entry) is { } digest)
                            {
                                blobs.Add(digest);
                            }

                            break;
                    }
                }
            }
            catch (InvalidDataException e)
            {
                throw new ContentException(ContentError.ManifestInvalid, $"the upload looks like a tar but cannot be read as one: {e.Message}");
            }
        }

        if (version?.StartsWith("Directory Transport Version", StringComparison.Ordinal) != true || manifest is null)
        {
            throw new ContentException(
                ContentError.ManifestInvalid,
                "the upload is a tar, but not of a skopeo dir: folder (it needs the files version and manifest.json, and blobs named by their hex digest)");
        }

        return (manifest, blobs);
    }

    /// <summary>The blobs the manifest needs that the repository lacks; refuses when the archive lacks any of them too.</summary>
    private static async Task<HashSet<Digest>> NeededBlobsAsync(byte[] manifestBytes, HashSet<Digest> inArchive, IImportConduit conduit, CancellationToken cancellationToken)
    {
        Manifest manifest;
        try
        {
            manifest = ManifestParser.Parse(manifestBytes);
        }
        catch (ManifestInvalidException)
        {
            // The manifest's own import reports its problems in full; nothing is imported before it would.
            return [];
        }

        if (manifest is not ImageManifest)
        {
            return [];
        }

        var referenced = manifest.References
            .Where(d => !(MediaTypes.IsNonDistributable(d.MediaType) && d.Urls is { Count: > 0 }))
            .Select(d => d.Digest)
            .ToHashSet();
        var keys = referenced.Select(d => UnitKey.Of(DockerUnitTypes.Fields.Digest, d.ToString())).ToList();
        var present = (await conduit.FindRepositoryUnitsAsync(DockerUnitTypes.Blob, keys, cancellationToken).ConfigureAwait(false))
            .Select(u => u.Key[DockerUnitTypes.Fields.Digest])
            .ToHashSet(StringComparer.Ordinal);
        var needed = referenced.Where(d => !present.Contains(d.ToString())).ToHashSet();
        var missing = needed.Where(d => !inArchive.Contains(d)).Select(d => d.ToString()).Order(StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
        {
            throw new ContentException(
                ContentError.ManifestBlobUnknown,
                $"the manifest references blobs neither in the tar nor in repository '{conduit.RepositoryId}': {string.Join(", ", missing)}",
                new JsonObject { ["missing_blobs"] = new JsonArray([.. missing.Select(m => JsonValue.Create(m))]) });
        }

        return needed;
    }

    /// <summary>The digest a blob's file name says (skopeo names sha256 blobs by their hex), or null for other files.</summary>
    private static Digest? BlobDigest(TarEntry entry) =>
        entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile &&
        Digest.TryParse("sha256:" + Path.GetFileName(entry.Name), out var digest)
            ? digest
            : null;
}
