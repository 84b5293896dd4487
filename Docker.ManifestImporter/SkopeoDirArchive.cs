using System.Text;
using Berth.Plugins;
using Docker.Common;
using Docker.Common.Digests;
using Docker.Common.Manifests;

namespace Docker.ManifestImporter;

/// <summary>
/// A tar of what <c>skopeo copy ... dir:PATH</c> writes, uploaded as a <c>docker_manifest</c> (as pulp_docker 3.x
/// accepted): <c>version</c>, <c>manifest.json</c>, and blobs named by their hex digest, of which those the repository
/// already has may be left out. The archive is walked once (<see cref="TarWalker"/>) to learn where those files are;
/// the manifest is then checked, and every blob it needs found in the tar or the repository, before anything is
/// imported; the blobs it needs are imported, streamed from the tar, through the repository's blob importer; the
/// manifest itself is then imported like any other.
/// </summary>
internal sealed class SkopeoDirArchive
{
    /// <summary>skopeo writes <c>Directory Transport Version: 1.1</c> and a newline; anything much longer is not its.</summary>
    public const int MaxVersionBytes = 1024;

    private const int UstarMagicOffset = 257;
    private const string ManifestFile = "manifest.json";
    private const string VersionFile = "version";

    private readonly IUploadedFile _upload;
    private readonly Dictionary<Digest, TarWalker.FileEntry> _blobs;

    private SkopeoDirArchive(IUploadedFile upload, TarWalker.FileEntry manifest, Dictionary<Digest, TarWalker.FileEntry> blobs)
    {
        _upload = upload;
        Manifest = manifest;
        _blobs = blobs;
    }

    /// <summary>Where <c>manifest.json</c> is in the upload, and its size.</summary>
    public TarWalker.FileEntry Manifest { get; }

    public static async Task<bool> IsArchiveAsync(IUploadedFile upload, CancellationToken cancellationToken)
    {
        if (upload.Length < TarWalker.BlockSize)
        {
            return false;
        }

        var header = new byte[TarWalker.BlockSize];
        var stream = upload.OpenRead();
        await using (stream.ConfigureAwait(false))
        {
            await stream.ReadExactlyAsync(header, cancellationToken).ConfigureAwait(false);
        }

        return header.AsSpan(UstarMagicOffset, 5).SequenceEqual("ustar"u8);
    }

    /// <summary>Walks the archive to find its version, manifest and blobs; refuses one that is not a skopeo dir: folder.</summary>
    /// <exception cref="ContentException">With <see cref="ContentError.ManifestInvalid"/>.</exception>
    public static async Task<SkopeoDirArchive> OpenAsync(IUploadedFile upload, ImportLimits limits, CancellationToken cancellationToken)
    {
        TarWalker.FileEntry? manifest = null;
        TarWalker.FileEntry? version = null;
        var blobs = new Dictionary<Digest, TarWalker.FileEntry>();
        await TarWalker.WalkAsync(upload, limits, entry =>
        {
            switch (Path.GetFileName(entry.Name))
            {
                case ManifestFile:
                    manifest = manifest is null ? entry : throw TarWalker.Invalid($"it holds {ManifestFile} twice");
                    break;
                case VersionFile:
                    version = version is null ? entry : throw TarWalker.Invalid($"it holds {VersionFile} twice");
                    break;
                case var name when Digest.TryParse("sha256:" + name, out var digest):
                    // The first of two copies is the one imported; either must hash to its name. Kept without the
                    // path it was found under, which a PAX header may make 64 KiB long: thousands of entries would
                    // hold that many copies of it.
                    blobs.TryAdd(digest, entry with { Name = name });
                    break;
                default:
                    break;
            }
        }, cancellationToken).ConfigureAwait(false);

        if (version is not { } versionEntry || manifest is not { } manifestEntry ||
            versionEntry.Size > MaxVersionBytes ||
            !(await ReadTextAsync(upload, versionEntry, cancellationToken).ConfigureAwait(false)).StartsWith("Directory Transport Version", StringComparison.Ordinal))
        {
            throw new ContentException(
                ContentError.ManifestInvalid,
                "the upload is a tar, but not of a skopeo dir: folder (it needs the files version and manifest.json, and blobs named by their hex digest)");
        }

        return new SkopeoDirArchive(upload, manifestEntry, blobs);
    }

    /// <summary>Reads <c>manifest.json</c> whole: the caller has checked its size and reserved memory for it.</summary>
    public async Task<byte[]> ReadManifestAsync(CancellationToken cancellationToken)
    {
        var bytes = new byte[Manifest.Size];
        var stream = await TarWalker.OpenAtAsync(_upload, Manifest.Offset, cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            await stream.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
        }

        return bytes;
    }

    /// <summary>The blobs the manifest needs that the repository lacks; refuses when the archive lacks any of them too.</summary>
    public async Task<IReadOnlySet<Digest>> NeededBlobsAsync(ImageManifest manifest, IImportConduit conduit, ImportLimits limits, CancellationToken cancellationToken)
    {
        var referenced = manifest.RegistryBlobs
            .Select(d => d.Digest)
            .ToHashSet();
        var keys = referenced.Select(d => UnitKey.Of(DockerUnitTypes.Fields.Digest, d.ToString())).ToList();
        var present = (await conduit.FindRepositoryUnitsAsync(DockerUnitTypes.Blob, keys, cancellationToken).ConfigureAwait(false))
            .Select(u => u.Key[DockerUnitTypes.Fields.Digest])
            .ToHashSet(StringComparer.Ordinal);
        var needed = referenced.Where(d => !present.Contains(d.ToString())).ToHashSet();
        var missing = needed.Where(d => !_blobs.ContainsKey(d)).Select(d => d.ToString()).Order(StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
        {
            throw new ContentException(
                ContentError.ManifestBlobUnknown,
                $"the manifest references {Refusal.Count(missing.Count, "blob")} neither in the tar nor in repository '{conduit.RepositoryId}': {Refusal.Name(missing)}",
                Refusal.Details("missing_blobs", missing, limits));
        }

        return needed;
    }

    /// <summary>Imports the needed blobs, streamed from the archive in its order, through the repository's blob importer.</summary>
    public async Task ImportBlobsAsync(IImportConduit conduit, IReadOnlySet<Digest> needed, CancellationToken cancellationToken)
    {
        var stream = _upload.OpenRead();
        await using (stream.ConfigureAwait(false))
        {
            long position = 0;
            foreach (var (digest, entry) in needed.Select(d => (d, _blobs[d])).OrderBy(e => e.Item2.Offset))
            {
                await TarWalker.SkipAsync(stream, entry.Offset - position, cancellationToken).ConfigureAwait(false);
                var data = new EntryStream(stream, entry.Size);
                await using (data.ConfigureAwait(false))
                {
                    await conduit.ImportNestedAsync(
                        DockerUnitTypes.Blob, data, new() { [DockerUnitTypes.Fields.Digest] = digest.ToString() }, [], cancellationToken).ConfigureAwait(false);
                    await TarWalker.SkipAsync(stream, entry.Size - data.Position, cancellationToken).ConfigureAwait(false);
                }

                position = entry.Offset + entry.Size;
            }
        }
    }

    private static async Task<string> ReadTextAsync(IUploadedFile upload, TarWalker.FileEntry entry, CancellationToken cancellationToken)
    {
        var bytes = new byte[entry.Size];
        var stream = await TarWalker.OpenAtAsync(upload, entry.Offset, cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            await stream.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
        }

        return Encoding.UTF8.GetString(bytes);
    }
}
