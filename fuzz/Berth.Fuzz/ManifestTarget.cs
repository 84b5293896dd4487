using System.Text.Json;
using Docker.Common.Manifests;

namespace Berth.Fuzz;

/// <summary>
/// The manifest and index parser both importers and the registry run on pushed documents. A document is either
/// refused with <see cref="ManifestInvalidException"/> or parsed into a model that serializes to a document the
/// parser accepts again, with the same references.
/// </summary>
internal sealed class ManifestTarget : FuzzTarget
{
    private const string Layer = "sha256:2f2e3c1f1a4b3f47fd5a07e7e2ab6d0f3d5e2b9f8d0d5c2a8a8d56f0c4e8b7a1";
    private const string Config = "sha256:c5b1d63604f273462ef36fadac3182d43ae6a6138731cf594b314835cf1c034f";

    public override string Name => "manifest";

    public override IReadOnlyList<string> InstrumentedAssemblies => ["Docker.Common.dll"];

    public override IEnumerable<string> Dictionary =>
    [
        "\"schemaVersion\"", "\"mediaType\"", "\"artifactType\"", "\"config\"", "\"layers\"", "\"manifests\"",
        "\"subject\"", "\"annotations\"", "\"digest\"", "\"size\"", "\"urls\"", "\"data\"", "\"platform\"",
        "\"architecture\"", "\"os\"", "\"variant\"", "\"os.features\"", "\"os.version\"", "sha256:", "sha512:",
        "application/vnd.oci.image.manifest.v1+json", "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.v2+json", "application/vnd.docker.distribution.manifest.list.v2+json",
        "null", "true", "false", "-1", "1e400", "\\u0000",
    ];

    public override IEnumerable<(string Name, string Content)> Seeds()
    {
        yield return ("docker-schema2.json", $$$"""{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","digest":"{{{Config}}}","size":78},"layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","digest":"{{{Layer}}}","size":1048754}]}""");
        yield return ("oci-manifest.json", $$$"""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{{{Config}}}","size":78},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"{{{Layer}}}","size":32,"urls":["https://example.com/layer"],"annotations":{"a":"b"}}],"annotations":{"org.opencontainers.image.created":"2026-11-27T00:00:00Z"}}""");
        yield return ("oci-index.json", $$$"""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{{{Layer}}}","size":500,"platform":{"architecture":"arm64","os":"linux","variant":"v8","os.features":["x"]}}]}""");
        yield return ("docker-list.json", $$$"""{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json","manifests":[{"mediaType":"application/vnd.docker.distribution.manifest.v2+json","digest":"{{{Layer}}}","size":528,"platform":{"architecture":"amd64","os":"linux"}}]}""");
        yield return ("oci-artifact.json", $$$"""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","artifactType":"application/vnd.example.sbom","config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2,"data":"e30="},"layers":[{"mediaType":"application/json","digest":"{{{Layer}}}","size":10}],"subject":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{{{Config}}}","size":100}}""");
    }

    public override bool Run(byte[] input)
    {
        Manifest manifest;
        try
        {
            manifest = ManifestParser.Parse(input);
        }
        catch (ManifestInvalidException e)
        {
            Expect(e.Problems.Count > 0, "a refused manifest names at least one problem");
            return false;
        }

        foreach (var reference in manifest.References)
        {
            Expect(reference.Size >= 0, "descriptor sizes are not negative");
            Expect(!string.IsNullOrEmpty(reference.MediaType), "descriptors have a media type");
        }

        var again = ManifestParser.Parse(Serialize(manifest));
        Expect(again.GetType() == manifest.GetType(), "a parsed manifest serializes to one of the same kind");
        Expect(
            again.References.Select(d => (d.Digest, d.Size)).SequenceEqual(manifest.References.Select(d => (d.Digest, d.Size))),
            "a parsed manifest serializes to one with the same references");

        return true;
    }

    private static byte[] Serialize(Manifest manifest) => manifest switch
    {
        ImageManifest image => JsonSerializer.SerializeToUtf8Bytes(image, DockerJsonContext.Default.ImageManifest),
        ImageIndex index => JsonSerializer.SerializeToUtf8Bytes(index, DockerJsonContext.Default.ImageIndex),
        _ => throw new InvariantBrokenException($"the parser returned an unknown kind of manifest, {manifest.GetType()}"),
    };
}
