using System.Text.Json;
using System.Text.Json.Nodes;
using Docker.Common.Digests;

namespace Berth.Cli.Images;

/// <summary>
/// Where an export goes, named as skopeo names it: <c>dir:PATH</c> or <c>oci:PATH</c>. A folder that already holds
/// something is written to only when it is what this kind of target writes; anything else there is the user's, and
/// is refused rather than mixed with the image or deleted.
/// </summary>
public abstract class ExportTarget(string path)
{
    public string Path { get; } = System.IO.Path.GetFullPath(path);

    /// <summary>Reads the target, refusing one whose folder holds something else.</summary>
    public static ExportTarget Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        ExportTarget target = text switch
        {
            _ when text.StartsWith("dir:", StringComparison.Ordinal) && text.Length > 4 => new SkopeoDir(text[4..]),
            _ when text.StartsWith("oci:", StringComparison.Ordinal) && text.Length > 4 => new OciLayout(text[4..]),
            _ => throw CliException.Usage($"--to '{text}': say dir:PATH (a skopeo dir: folder) or oci:PATH (an OCI layout)"),
        };
        target.Check();
        return target;
    }

    /// <summary>
    /// Makes the folder ready for the image. Called once the image is known to exist, so that an export of a tag the
    /// server does not have leaves the folder as it was.
    /// </summary>
    public abstract Task PrepareAsync(CancellationToken cancellationToken);

    public abstract string BlobPath(Digest digest);

    /// <summary>Where a list's manifest goes.</summary>
    public abstract string InstancePath(Digest digest);

    /// <summary>Writes the top manifest and whatever names the image, last, once everything it needs is there.</summary>
    public abstract Task FinishAsync(Digest digest, byte[] bytes, string mediaType, string reference, CancellationToken cancellationToken);

    /// <summary>Whether the folder, which exists and is not empty, holds what this kind of target writes.</summary>
    protected abstract bool HoldsOwnKind();

    /// <summary>What to say when it does not.</summary>
    protected abstract string NotOwnKind { get; }

    private void Check()
    {
        if (File.Exists(Path))
        {
            throw CliException.Usage($"{this}: {Path} is a file; export to a folder");
        }

        if (Directory.Exists(Path) && Directory.EnumerateFileSystemEntries(Path).Any() && !HoldsOwnKind())
        {
            throw CliException.Usage($"{this}: the folder is not empty and {NotOwnKind}; nothing was written. Export to a new or empty folder");
        }
    }

    /// <summary>
    /// A skopeo dir: folder holds one image. As skopeo does, a folder it (or berth) wrote before is emptied first, so
    /// that no blob of the previous image stays beside the new one.
    /// </summary>
    private sealed class SkopeoDir(string path) : ExportTarget(path)
    {
        protected override string NotOwnKind => $"is not a skopeo dir: folder (it has no {SkopeoDirVersion.FileName} file), so berth will not empty it";

        public override async Task PrepareAsync(CancellationToken cancellationToken)
        {
            Check();
            if (Directory.Exists(Path))
            {
                foreach (var entry in new DirectoryInfo(Path).EnumerateFileSystemInfos())
                {
                    // A link is removed, never followed.
                    if (entry is DirectoryInfo { LinkTarget: null } folder)
                    {
                        folder.Delete(recursive: true);
                    }
                    else
                    {
                        entry.Delete();
                    }
                }
            }

            Directory.CreateDirectory(Path);

            // First, as skopeo does: an export cut short leaves a folder the next one may empty.
            await File.WriteAllTextAsync(System.IO.Path.Combine(Path, SkopeoDirVersion.FileName), SkopeoDirVersion.Current, cancellationToken);
        }

        public override string BlobPath(Digest digest) => System.IO.Path.Combine(Path, digest.Encoded);

        public override string InstancePath(Digest digest) => System.IO.Path.Combine(Path, $"{digest.Encoded}.manifest.json");

        public override Task FinishAsync(Digest digest, byte[] bytes, string mediaType, string reference, CancellationToken cancellationToken) =>
            ImageExporter.WriteAtomicallyAsync(System.IO.Path.Combine(Path, "manifest.json"), bytes, cancellationToken);

        public override string ToString() => $"dir:{Path}";

        protected override bool HoldsOwnKind() => SkopeoDirVersion.IsIn(Path);
    }

    /// <summary>An OCI layout holds many images, each named in its index: an export adds one, or replaces the one of its name.</summary>
    private sealed class OciLayout(string path) : ExportTarget(path)
    {
        private const string RefName = "org.opencontainers.image.ref.name";
        private const string LayoutFile = "oci-layout";

        protected override string NotOwnKind => $"is not an OCI layout (it has no {LayoutFile} file)";

        public override async Task PrepareAsync(CancellationToken cancellationToken)
        {
            Check();
            Directory.CreateDirectory(Path);
            var layout = System.IO.Path.Combine(Path, LayoutFile);
            if (!File.Exists(layout))
            {
                // First: an export cut short leaves a folder the next one recognises as a layout.
                await File.WriteAllTextAsync(layout, """{"imageLayoutVersion":"1.0.0"}""", cancellationToken);
            }
        }

        public override string BlobPath(Digest digest)
        {
            var folder = System.IO.Path.Combine(Path, "blobs", digest.Algorithm.Name);
            Directory.CreateDirectory(folder);
            return System.IO.Path.Combine(folder, digest.Encoded);
        }

        public override string InstancePath(Digest digest) => BlobPath(digest);

        public override async Task FinishAsync(Digest digest, byte[] bytes, string mediaType, string reference, CancellationToken cancellationToken)
        {
            await ImageExporter.WriteAtomicallyAsync(BlobPath(digest), bytes, cancellationToken);
            var indexPath = System.IO.Path.Combine(Path, "index.json");
            var index = File.Exists(indexPath) ? JsonNode.Parse(await File.ReadAllTextAsync(indexPath, cancellationToken))!.AsObject() : new JsonObject { ["schemaVersion"] = 2 };
            var entries = index["manifests"] as JsonArray ?? [];
            index["manifests"] = entries;

            // An image exported under a name another image has in this layout takes the name over.
            foreach (var stale in entries.Where(e => e?["annotations"]?[RefName]?.GetValue<string>() == reference).ToList())
            {
                entries.Remove(stale);
            }

            entries.Add(new JsonObject
            {
                ["mediaType"] = mediaType,
                ["digest"] = digest.ToString(),
                ["size"] = bytes.Length,
                ["annotations"] = new JsonObject { [RefName] = reference },
            });
            await ImageExporter.WriteAtomicallyAsync(indexPath, JsonSerializer.SerializeToUtf8Bytes(index, CliJson.Compact), cancellationToken);
        }

        public override string ToString() => $"oci:{Path}";

        protected override bool HoldsOwnKind() => File.Exists(System.IO.Path.Combine(Path, LayoutFile));
    }
}
