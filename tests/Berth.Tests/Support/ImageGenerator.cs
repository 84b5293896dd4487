using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Docker.Common;
using Docker.Common.Digests;
using Docker.Common.Manifests;

namespace Berth.Tests.Support;

/// <summary>
/// Makes real container images for tests that need nothing from outside: gzip-compressed tar layers of
/// generated files, a config whose <c>rootfs.diff_ids</c> are the digests of the uncompressed tars, and a Docker
/// schema2 or OCI manifest; and writes them as skopeo's <c>dir:</c> format or an OCI image layout.
/// </summary>
public static class ImageGenerator
{
    /// <summary>An image with <paramref name="layers"/> layers, each holding a file of <paramref name="fileSize"/> random bytes.</summary>
    public static TestManifest Build(int layers = 2, int fileSize = 4096, bool oci = false)
    {
        var layerMediaType = oci ? MediaTypes.OciLayerGzip : MediaTypes.DockerLayer;
        var diffIds = new List<string>();
        var blobs = new List<TestBlob>();
        for (var i = 0; i < layers; i++)
        {
            var tar = Tar(new Dictionary<string, byte[]>
            {
                [$"layer{i}/data.bin"] = RandomNumberGenerator.GetBytes(fileSize),
                [$"layer{i}/README"] = Encoding.UTF8.GetBytes($"layer {i} of a Berth test image\n"),
            });
            diffIds.Add(Digest.Compute(tar).ToString());
            blobs.Add(new TestBlob(Gzip(tar), layerMediaType));
        }

        var config = new TestBlob(Config(diffIds), oci ? MediaTypes.OciImageConfig : MediaTypes.DockerImageConfig);
        var manifest = new ImageManifest
        {
            MediaType = oci ? MediaTypes.OciManifest : MediaTypes.DockerManifest,
            Config = config.Descriptor,
            Layers = [.. blobs.Select(b => b.Descriptor)],
        };
        var bytes = JsonSerializer.SerializeToUtf8Bytes(manifest, DockerJsonContext.Default.ImageManifest);
        return new TestManifest(bytes, manifest.MediaType, [config, .. blobs]);
    }

    /// <summary>Writes an image as skopeo's <c>dir:</c> format: a version file, manifest.json, blobs named by hex digest.</summary>
    public static void WriteDirectory(TestManifest image, string path)
    {
        ArgumentNullException.ThrowIfNull(image);
        Directory.CreateDirectory(path);
        File.WriteAllText(Path.Combine(path, "version"), "Directory Transport Version: 1.1\n");
        File.WriteAllBytes(Path.Combine(path, "manifest.json"), image.Bytes);
        foreach (var blob in image.Blobs)
        {
            File.WriteAllBytes(Path.Combine(path, blob.Digest.Encoded), blob.Bytes);
        }
    }

    /// <summary>
    /// Writes an image, or an index and the images it lists, as an OCI image layout whose index.json tags the
    /// top manifest.
    /// </summary>
    public static void WriteOciLayout(TestManifest image, string path, string tag, params TestManifest[] listed)
    {
        ArgumentNullException.ThrowIfNull(image);
        var blobs = Path.Combine(path, "blobs", "sha256");
        Directory.CreateDirectory(blobs);
        File.WriteAllText(Path.Combine(path, "oci-layout"), """{"imageLayoutVersion":"1.0.0"}""");
        foreach (var manifest in listed.Append(image))
        {
            foreach (var (digest, bytes) in manifest.Blobs.Select(b => (b.Digest, b.Bytes)).Append((manifest.Digest, manifest.Bytes)))
            {
                File.WriteAllBytes(Path.Combine(blobs, digest.Encoded), bytes);
            }
        }

        var index = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = MediaTypes.OciIndex,
            ["manifests"] = new JsonArray(new JsonObject
            {
                ["mediaType"] = image.MediaType,
                ["digest"] = image.Digest.ToString(),
                ["size"] = image.Bytes.Length,
                ["annotations"] = new JsonObject { ["org.opencontainers.image.ref.name"] = tag },
            }),
        };
        File.WriteAllText(Path.Combine(path, "index.json"), index.ToJsonString());
    }

    private static byte[] Tar(Dictionary<string, byte[]> files)
    {
        using var output = new MemoryStream();
        using (var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (name, content) in files)
            {
                var entry = new PaxTarEntry(TarEntryType.RegularFile, name)
                {
                    DataStream = new MemoryStream(content),
                    ModificationTime = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero),
                    Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
                };
                writer.WriteEntry(entry);
            }
        }

        return output.ToArray();
    }

    private static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(bytes);
        }

        return output.ToArray();
    }

    private static byte[] Config(IReadOnlyList<string> diffIds)
    {
        var config = new JsonObject
        {
            ["architecture"] = "amd64",
            ["os"] = "linux",
            ["created"] = "2026-11-27T00:00:00Z",
            ["config"] = new JsonObject { ["Env"] = new JsonArray("PATH=/usr/local/bin:/usr/bin:/bin"), ["Cmd"] = new JsonArray("/bin/sh") },
            ["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = new JsonArray([.. diffIds.Select(d => JsonValue.Create(d))]) },
            ["history"] = new JsonArray([.. diffIds.Select((_, i) => new JsonObject { ["created_by"] = $"berth test layer {i}" })]),
        };
        return Encoding.UTF8.GetBytes(config.ToJsonString());
    }
}
