namespace Berth.Tests.Manifests;

/// <summary>
/// Manifest documents shaped like those real tools write (docker push, buildkit, skopeo, oras, Windows images),
/// with made-up digests of the right form.
/// </summary>
internal static class ManifestSamples
{
    public const string A = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    public const string B = "sha256:2222222222222222222222222222222222222222222222222222222222222222";
    public const string C = "sha256:3333333333333333333333333333333333333333333333333333333333333333";

    public const string DockerSchema2 = $$$"""
        {
           "schemaVersion": 2,
           "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
           "config": {
              "mediaType": "application/vnd.docker.container.image.v1+json",
              "size": 1457,
              "digest": "{{{A}}}"
           },
           "layers": [
              {
                 "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                 "size": 2214729,
                 "digest": "{{{B}}}"
              }
           ]
        }
        """;

    public const string DockerManifestList = $$$"""
        {
           "schemaVersion": 2,
           "mediaType": "application/vnd.docker.distribution.manifest.list.v2+json",
           "manifests": [
              {
                 "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                 "size": 528,
                 "digest": "{{{A}}}",
                 "platform": { "architecture": "amd64", "os": "linux" }
              },
              {
                 "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                 "size": 528,
                 "digest": "{{{B}}}",
                 "platform": { "architecture": "arm", "os": "linux", "variant": "v7" }
              }
           ]
        }
        """;

    public const string OciImageFromBuildkit = $$$"""
        {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{{{A}}}","size":652},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"{{{B}}}","size":3623807},{"mediaType":"application/vnd.oci.image.layer.v1.tar+zstd","digest":"{{{C}}}","size":93}],"annotations":{"org.opencontainers.image.created":"2026-11-01T10:00:00Z","org.opencontainers.image.source":"https://example.com/app"}}
        """;

    // skopeo and older tools leave mediaType out of OCI manifests: it must be inferred from the shape.
    public const string OciImageWithoutMediaType = $$$"""
        {"schemaVersion":2,"config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{{{A}}}","size":652},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"{{{B}}}","size":10240}]}
        """;

    public const string OciIndexWithAttestation = $$$"""
        {
          "schemaVersion": 2,
          "mediaType": "application/vnd.oci.image.index.v1+json",
          "manifests": [
            {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "{{{A}}}", "size": 1018,
             "platform": {"architecture": "arm64", "os": "linux", "variant": "v8"}},
            {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "{{{B}}}", "size": 839,
             "annotations": {"vnd.docker.reference.digest": "{{{A}}}", "vnd.docker.reference.type": "attestation-manifest"},
             "platform": {"architecture": "unknown", "os": "unknown"}}
          ]
        }
        """;

    public const string OciIndexWithoutMediaType = $$$"""
        {"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{{{A}}}","size":1018}]}
        """;

    // What oras or cosign push: the OCI 1.1 empty config, an artifactType and a subject.
    public const string OciArtifactWithSubject = $$$"""
        {
          "schemaVersion": 2,
          "mediaType": "application/vnd.oci.image.manifest.v1+json",
          "artifactType": "application/vnd.dev.cosign.artifact.sig.v1+json",
          "config": {"mediaType": "application/vnd.oci.empty.v1+json", "digest": "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", "size": 2, "data": "e30="},
          "layers": [{"mediaType": "application/vnd.dev.cosign.simplesigning.v1+json", "digest": "{{{B}}}", "size": 242,
                      "annotations": {"dev.cosignproject.cosign/signature": "MEUCIQ..."}}],
          "subject": {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "{{{C}}}", "size": 1018},
          "annotations": {"org.opencontainers.image.created": "2026-11-01T10:00:00Z"}
        }
        """;

    public const string WindowsForeignLayers = $$$"""
        {
           "schemaVersion": 2,
           "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
           "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 1000, "digest": "{{{A}}}"},
           "layers": [
              {"mediaType": "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip", "size": 1582435061, "digest": "{{{B}}}",
               "urls": ["https://mcr.microsoft.com/v2/windows/servercore/blobs/{{{B}}}"]},
              {"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": 1000, "digest": "{{{C}}}"}
           ]
        }
        """;

    public const string OciArtifactWithoutLayers = $$$"""
        {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","artifactType":"application/vnd.example.thing","config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[]}
        """;
}
