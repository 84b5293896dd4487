using Docker.Common.Digests;

namespace Berth.Cli.Images;

/// <summary>
/// Recognises what a path holds and reads it: a skopeo dir: folder, an OCI layout folder, or a tar of an OCI layout
/// (<c>oci-archive</c>, and <c>docker save</c> of Docker 25 and later) or of the classic <c>docker save</c> layout.
/// </summary>
public sealed class ImageSource : IDisposable
{
    private readonly ExtractedArchive? _archive;

    private ImageSource(LocalImageSet image, List<Digest> absent, ExtractedArchive? archive)
    {
        Image = image;
        AbsentManifests = absent;
        _archive = archive;
    }

    public LocalImageSet Image { get; }

    /// <summary>Manifests a list names that the source does not hold (the repository must).</summary>
    public IReadOnlyCollection<Digest> AbsentManifests { get; }

    public static async Task<ImageSource> OpenAsync(string path, string? onlyRef, string? tag, CancellationToken cancellationToken)
    {
        var absent = new List<Digest>();
        if (Directory.Exists(path))
        {
            return new ImageSource(await ReadFolderAsync(path, path, onlyRef, tag, absent, cancellationToken), absent, null);
        }

        if (!File.Exists(path))
        {
            throw CliException.Usage($"{path}: no such file or folder");
        }

        var archive = await ExtractedArchive.ExtractAsync(path, cancellationToken);
        try
        {
            return new ImageSource(await ReadFolderAsync(archive.Folder, path, onlyRef, tag, absent, cancellationToken), absent, archive);
        }
        catch
        {
            archive.Dispose();
            throw;
        }
    }

    public void Dispose() => _archive?.Dispose();

    private static async Task<LocalImageSet> ReadFolderAsync(string folder, string shownAs, string? onlyRef, string? tag, List<Digest> absent, CancellationToken cancellationToken)
    {
        if (SkopeoDirReader.Recognises(folder))
        {
            return onlyRef is null
                ? SkopeoDirReader.Read(folder, tag, absent)
                : throw CliException.Usage("--ref chooses an image of an OCI layout; a skopeo dir: folder holds one");
        }

        if (OciLayoutReader.Recognises(folder))
        {
            return OciLayoutReader.Read(folder, onlyRef, tag, absent);
        }

        if (DockerArchiveReader.Recognises(folder))
        {
            return onlyRef is null
                ? await DockerArchiveReader.ReadAsync(folder, tag, cancellationToken)
                : throw CliException.Usage("--ref chooses an image of an OCI layout; use --tag with a docker save archive");
        }

        throw CliException.Usage(
            $"{shownAs} is neither a skopeo dir: folder (version, manifest.json), an OCI layout (oci-layout, index.json) nor a docker save archive");
    }
}
