using Docker.Common.Digests;
using Docker.Common.Manifests;

namespace Berth.Cli.Images;

/// <summary>
/// Reads manifests from wherever a format keeps them and orders them so that each comes after what it needs.
/// Formats differ only in where a manifest's or blob's file is.
/// </summary>
public sealed class ManifestWalker(Func<Digest, string?> manifestFile)
{
    private readonly List<LocalManifest> _ordered = [];
    private readonly HashSet<Digest> _seen = [];
    private readonly HashSet<Digest> _blobs = [];

    public IReadOnlyList<LocalManifest> Ordered => _ordered;

    public IReadOnlyCollection<Digest> Blobs => _blobs;

    /// <summary>Reads the manifest in <paramref name="path"/> and, for a list, each of its manifests found on disk.</summary>
    /// <returns>The digests of the list's manifests that are not on disk (the server may hold them already).</returns>
    public IReadOnlyList<Digest> Add(Digest digest, string path, ICollection<Digest> absent)
    {
        ArgumentNullException.ThrowIfNull(absent);
        if (!_seen.Add(digest))
        {
            return [.. absent];
        }

        Manifest manifest;
        try
        {
            manifest = ManifestParser.Parse(File.ReadAllBytes(path));
        }
        catch (ManifestInvalidException e)
        {
            throw CliException.Usage($"{path} is not a manifest: {string.Join("; ", e.Problems)}");
        }

        var isList = manifest is ImageIndex;
        foreach (var reference in manifest.References)
        {
            if (!isList)
            {
                _blobs.Add(reference.Digest);
            }
            else if (manifestFile(reference.Digest) is { } child)
            {
                Add(reference.Digest, child, absent);
            }
            else
            {
                absent.Add(reference.Digest);
            }
        }

        _ordered.Add(new LocalManifest(digest, path, isList, isList ? [] : [.. manifest.References.Select(r => r.Digest)], isList ? [.. manifest.References.Select(r => r.Digest)] : []));
        return [.. absent];
    }
}
