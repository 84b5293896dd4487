using System.Text.Json;
using System.Text.Json.Nodes;
using Docker.Common.Digests;

namespace Berth.Cli.Images;

/// <summary>Where an export goes, named as skopeo names it: <c>dir:PATH</c> or <c>oci:PATH</c>.</summary>
public abstract class ExportTarget(string path)
{
    public string Path { get; } = System.IO.Path.GetFullPath(path);

    public static ExportTarget Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text switch
        {
            _ when text.StartsWith("dir:", StringComparison.Ordinal) && text.Length > 4 => new SkopeoDir(text[4..]),
            _ when text.StartsWith("oci:", StringComparison.Ordinal) && text.Length > 4 => new OciLayout(text[4..]),
            _ => throw CliException.Usage($"--to '{text}': say dir:PATH (a skopeo dir: folder) or oci:PATH (an OCI layout)"),
        };
    }

    public abstract string BlobPath(Digest digest);

    /// <summary>Where a list's manifest goes.</summary>
    public abstract string InstancePath(Digest digest);

    /// <summary>Writes the top manifest and whatever names the image, last, once everything it needs is there.</summary>
    public abstract Task FinishAsync(Digest digest, byte[] bytes, string mediaType, string reference, CancellationToken cancellationToken);

    private sealed class SkopeoDir(string path) : ExportTarget(path)
    {
        public override string BlobPath(Digest digest) => System.IO.Path.Combine(Path, digest.Encoded);

        public override string InstancePath(Digest digest) => System.IO.Path.Combine(Path, $"{digest.Encoded}.manifest.json");

        public override async Task FinishAsync(Digest digest, byte[] bytes, string mediaType, string reference, CancellationToken cancellationToken)
        {
            await ImageExporter.WriteAtomicallyAsync(System.IO.Path.Combine(Path, "manifest.json"), bytes, cancellationToken);
            await File.WriteAllTextAsync(System.IO.Path.Combine(Path, "version"), "Directory Transport Version: 1.1\n", cancellationToken);
        }

        public override string ToString() => $"dir:{Path}";
    }

    private sealed class OciLayout(string path) : ExportTarget(path)
    {
        private const string RefName = "org.opencontainers.image.ref.name";

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
            await File.WriteAllTextAsync(System.IO.Path.Combine(Path, "oci-layout"), """{"imageLayoutVersion":"1.0.0"}""", cancellationToken);
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
            await ImageExporter.WriteAtomicallyAsync(indexPath, JsonSerializer.SerializeToUtf8Bytes(index), cancellationToken);
        }

        public override string ToString() => $"oci:{Path}";
    }
}
