using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Docker.Common;

namespace Berth.Tests.Support;

/// <summary>
/// Manifests and indexes as large as a test needs: many references to blobs or manifests that exist nowhere (each a
/// distinct digest), or padding in an annotation to reach a size.
/// </summary>
public static class LargeDocuments
{
    /// <summary>A distinct digest that no content has: the SHA-256 of a label and a number.</summary>
    public static string FakeDigest(string label, int number) =>
        "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{label}-{number}")));

    /// <summary>An OCI image manifest with <paramref name="layers"/> layers that no repository has.</summary>
    public static byte[] ManifestWithMissingLayers(int layers, string label = "layer")
    {
        var json = Manifest(TestBlob.Config(mediaType: MediaTypes.OciImageConfig));
        json["layers"] = new JsonArray([.. Enumerable.Range(0, layers).Select(i => (JsonNode)Descriptor(MediaTypes.OciLayerGzip, FakeDigest(label, i), 1000 + i))]);
        return Encoding.UTF8.GetBytes(json.ToJsonString());
    }

    /// <summary>An OCI index of <paramref name="manifests"/> manifests that no repository has.</summary>
    public static byte[] IndexWithMissingManifests(int manifests, string label = "manifest")
    {
        var json = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = MediaTypes.OciIndex,
            ["manifests"] = new JsonArray([.. Enumerable.Range(0, manifests).Select(i => (JsonNode)Descriptor(MediaTypes.OciManifest, FakeDigest(label, i), 500 + i))]),
        };
        return Encoding.UTF8.GetBytes(json.ToJsonString());
    }

    /// <summary>
    /// A valid OCI image manifest of exactly <paramref name="size"/> bytes (an annotation pads it) whose config and
    /// one layer are <paramref name="config"/> and <paramref name="layer"/>.
    /// </summary>
    public static byte[] PaddedManifest(TestBlob config, TestBlob layer, int size, string? salt = null)
    {
        ArgumentNullException.ThrowIfNull(layer);
        var json = Manifest(config);
        json["layers"] = new JsonArray(Descriptor(layer.MediaType, layer.Digest.ToString(), layer.Bytes.Length));
        json["annotations"] = new JsonObject { ["org.example.salt"] = salt ?? Guid.NewGuid().ToString("N"), ["org.example.padding"] = string.Empty };
        var bare = Encoding.UTF8.GetByteCount(json.ToJsonString());
        if (size < bare)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, $"a padded manifest is at least {bare} bytes");
        }

        json["annotations"]!["org.example.padding"] = new string('p', size - bare);
        return Encoding.UTF8.GetBytes(json.ToJsonString());
    }

    private static JsonObject Manifest(TestBlob config) => new()
    {
        ["schemaVersion"] = 2,
        ["mediaType"] = MediaTypes.OciManifest,
        ["config"] = Descriptor(config.MediaType, config.Digest.ToString(), config.Bytes.Length),
    };

    private static JsonObject Descriptor(string mediaType, string digest, long size) => new()
    {
        ["mediaType"] = mediaType,
        ["digest"] = digest,
        ["size"] = size,
    };
}
