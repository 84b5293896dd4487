using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Docker.Common;
using Docker.Common.Digests;
using Docker.Common.Manifests;

namespace Berth.Tests.Support;

/// <summary>A blob made by a test: its bytes and descriptor.</summary>
public sealed record TestBlob(byte[] Bytes, string MediaType)
{
    public Digest Digest { get; } = Digest.Compute(Bytes);

    public Descriptor Descriptor => new() { MediaType = MediaType, Digest = Digest, Size = Bytes.LongLength };

    public static TestBlob Random(int size, string mediaType = MediaTypes.DockerLayer)
    {
        var bytes = new byte[size];
        RandomNumberGenerator.Fill(bytes);
        return new TestBlob(bytes, mediaType);
    }

    public static TestBlob Config(string architecture = "amd64", string mediaType = MediaTypes.DockerImageConfig) => new(
        Encoding.UTF8.GetBytes($$$"""{"architecture":"{{{architecture}}}","os":"linux","config":{"Env":["PATH=/usr/bin"]},"rootfs":{"type":"layers","diff_ids":["sha256:{{{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32))}}}"]}}"""),
        mediaType);

    public static TestBlob Empty { get; } = new("{}"u8.ToArray(), MediaTypes.OciEmpty);
}

/// <summary>A manifest document made by a test: its exact bytes, digest and the blobs it needs.</summary>
public sealed record TestManifest(byte[] Bytes, string MediaType, IReadOnlyList<TestBlob> Blobs)
{
    public Digest Digest { get; } = Digest.Compute(Bytes);

    public Descriptor Descriptor(Platform? platform = null) =>
        new() { MediaType = MediaType, Digest = Digest, Size = Bytes.LongLength, Platform = platform };

    public static TestManifest DockerImage(int layers = 2, int layerSize = 1024, string architecture = "amd64")
    {
        var config = TestBlob.Config(architecture);
        var blobs = Enumerable.Range(0, layers).Select(_ => TestBlob.Random(layerSize)).ToList();
        var manifest = new ImageManifest
        {
            MediaType = MediaTypes.DockerManifest,
            Config = config.Descriptor,
            Layers = [.. blobs.Select(b => b.Descriptor)],
        };
        return new TestManifest(JsonSerializer.SerializeToUtf8Bytes(manifest, DockerJsonContext.Default.ImageManifest), MediaTypes.DockerManifest, [config, .. blobs]);
    }

    public static TestManifest OciImage(int layers = 1, int layerSize = 1024)
    {
        var config = TestBlob.Config(mediaType: MediaTypes.OciImageConfig);
        var blobs = Enumerable.Range(0, layers).Select(_ => TestBlob.Random(layerSize, MediaTypes.OciLayerGzip)).ToList();
        var manifest = new ImageManifest
        {
            MediaType = MediaTypes.OciManifest,
            Config = config.Descriptor,
            Layers = [.. blobs.Select(b => b.Descriptor)],
            Annotations = new Dictionary<string, string> { ["org.opencontainers.image.created"] = "2026-11-27T00:00:00Z" },
        };
        return new TestManifest(JsonSerializer.SerializeToUtf8Bytes(manifest, DockerJsonContext.Default.ImageManifest), MediaTypes.OciManifest, [config, .. blobs]);
    }

    /// <summary>An OCI 1.1 artifact (a signature, an SBOM) with the empty config, an artifactType and a subject.</summary>
    public static TestManifest OciArtifact(TestManifest subject, string artifactType = "application/vnd.example.sbom.v1+json")
    {
        var payload = new TestBlob(Encoding.UTF8.GetBytes("""{"sbom":"example"}"""), "application/json");
        var manifest = new ImageManifest
        {
            MediaType = MediaTypes.OciManifest,
            ArtifactType = artifactType,
            Config = TestBlob.Empty.Descriptor,
            Layers = [payload.Descriptor],
            Subject = subject.Descriptor(),
            Annotations = new Dictionary<string, string> { ["org.example.kind"] = "sbom" },
        };
        return new TestManifest(JsonSerializer.SerializeToUtf8Bytes(manifest, DockerJsonContext.Default.ImageManifest), MediaTypes.OciManifest, [TestBlob.Empty, payload]);
    }

    public static TestManifest DockerList(params TestManifest[] manifests) => List(MediaTypes.DockerManifestList, manifests);

    public static TestManifest OciIndex(params TestManifest[] manifests) => List(MediaTypes.OciIndex, manifests);

    private static TestManifest List(string mediaType, TestManifest[] manifests)
    {
        var architectures = new[] { "amd64", "arm64", "ppc64le", "s390x" };
        var index = new ImageIndex
        {
            MediaType = mediaType,
            Manifests = [.. manifests.Select((m, i) => m.Descriptor(new Platform { Architecture = architectures[i % architectures.Length], Os = "linux" }))],
        };
        return new TestManifest(JsonSerializer.SerializeToUtf8Bytes(index, DockerJsonContext.Default.ImageIndex), mediaType, []);
    }
}
