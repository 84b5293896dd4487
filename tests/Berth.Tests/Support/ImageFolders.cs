using System.Text.Json.Nodes;

namespace Berth.Tests.Support;

/// <summary>Writes test images to disk the way skopeo's dir: transport and OCI image layouts keep them.</summary>
public static class ImageFolders
{
    /// <summary>A skopeo dir: folder: version, manifest.json, blobs by hex; a list's manifests as HEX.manifest.json.</summary>
    public static string WriteSkopeoDir(string folder, TestManifest top, params TestManifest[] instances)
    {
        ArgumentNullException.ThrowIfNull(top);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "version"), "Directory Transport Version: 1.1\n");
        File.WriteAllBytes(Path.Combine(folder, "manifest.json"), top.Bytes);
        foreach (var blob in top.Blobs.Concat(instances.SelectMany(i => i.Blobs)))
        {
            File.WriteAllBytes(Path.Combine(folder, blob.Digest.Encoded), blob.Bytes);
        }

        foreach (var instance in instances)
        {
            File.WriteAllBytes(Path.Combine(folder, $"{instance.Digest.Encoded}.manifest.json"), instance.Bytes);
        }

        return folder;
    }

    /// <summary>An OCI image layout holding the images under their ref names (a list's manifests included).</summary>
    public static string WriteOciLayout(string folder, params (string RefName, TestManifest Image, TestManifest[] Instances)[] images)
    {
        ArgumentNullException.ThrowIfNull(images);
        Directory.CreateDirectory(Path.Combine(folder, "blobs", "sha256"));
        File.WriteAllText(Path.Combine(folder, "oci-layout"), """{"imageLayoutVersion":"1.0.0"}""");
        var entries = new JsonArray();
        foreach (var (refName, image, instances) in images)
        {
            foreach (var manifest in instances.Append(image))
            {
                Write(folder, manifest.Digest.Encoded, manifest.Bytes);
                foreach (var blob in manifest.Blobs)
                {
                    Write(folder, blob.Digest.Encoded, blob.Bytes);
                }
            }

            entries.Add(new JsonObject
            {
                ["mediaType"] = image.MediaType,
                ["digest"] = image.Digest.ToString(),
                ["size"] = image.Bytes.Length,
                ["annotations"] = new JsonObject { ["org.opencontainers.image.ref.name"] = refName },
            });
        }

        File.WriteAllText(Path.Combine(folder, "index.json"), new JsonObject { ["schemaVersion"] = 2, ["manifests"] = entries }.ToJsonString());
        return folder;
    }

    /// <summary>
    /// A classic <c>docker save</c> archive: each image as its config file, its layers as <c>ID/layer.tar</c>, and
    /// <c>manifest.json</c> with their names and RepoTags.
    /// </summary>
    public static string WriteDockerSave(string archive, params (TestBlob Config, TestBlob[] Layers, string[] RepoTags)[] images)
    {
        ArgumentNullException.ThrowIfNull(images);
        var folder = archive + ".d";
        Directory.CreateDirectory(folder);
        var entries = new JsonArray();
        foreach (var (config, layers, repoTags) in images)
        {
            File.WriteAllBytes(Path.Combine(folder, $"{config.Digest.Encoded}.json"), config.Bytes);
            var names = new JsonArray();
            foreach (var layer in layers)
            {
                Directory.CreateDirectory(Path.Combine(folder, layer.Digest.Encoded[..16]));
                File.WriteAllBytes(Path.Combine(folder, layer.Digest.Encoded[..16], "layer.tar"), layer.Bytes);
                names.Add($"{layer.Digest.Encoded[..16]}/layer.tar");
            }

            entries.Add(new JsonObject
            {
                ["Config"] = $"{config.Digest.Encoded}.json",
                ["RepoTags"] = new JsonArray([.. repoTags.Select(t => JsonValue.Create(t))]),
                ["Layers"] = names,
            });
        }

        File.WriteAllText(Path.Combine(folder, "manifest.json"), entries.ToJsonString());
        System.Formats.Tar.TarFile.CreateFromDirectory(folder, archive, includeBaseDirectory: false);
        Directory.Delete(folder, recursive: true);
        return archive;
    }

    /// <summary>
    /// An OCI layout packed as a tar, as <c>oci-archive:</c> writes it; with <paramref name="dockerManifest"/>, also the
    /// <c>manifest.json</c> that <c>docker save</c> (Docker 25 and later) puts beside the layout.
    /// </summary>
    public static string WriteOciArchive(string archive, bool dockerManifest, params (string RefName, TestManifest Image, TestManifest[] Instances)[] images)
    {
        ArgumentNullException.ThrowIfNull(images);
        var folder = WriteOciLayout(archive + ".d", images);
        if (dockerManifest)
        {
            var entries = new JsonArray([.. images.Select(i => (JsonNode)new JsonObject
            {
                ["Config"] = $"blobs/sha256/{i.Image.Blobs[0].Digest.Encoded}",
                ["RepoTags"] = new JsonArray($"example/app:{i.RefName}"),
                ["Layers"] = new JsonArray([.. i.Image.Blobs.Skip(1).Select(b => JsonValue.Create($"blobs/sha256/{b.Digest.Encoded}"))]),
            })]);
            File.WriteAllText(Path.Combine(folder, "manifest.json"), entries.ToJsonString());
        }

        System.Formats.Tar.TarFile.CreateFromDirectory(folder, archive, includeBaseDirectory: false);
        Directory.Delete(folder, recursive: true);
        return archive;
    }

    private static void Write(string folder, string hex, byte[] bytes) => File.WriteAllBytes(Path.Combine(folder, "blobs", "sha256", hex), bytes);
}
