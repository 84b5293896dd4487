using System.Text;
using Docker.Common;
using Docker.Common.Manifests;
using NUnit.Framework;
using static Berth.Tests.Manifests.ManifestSamples;

namespace Berth.Tests.Manifests;

public sealed class ManifestParserTests
{
    private static Manifest Parse(string json) => ManifestParser.Parse(Encoding.UTF8.GetBytes(json));

    private static ManifestInvalidException Refuse(string json) =>
        Assert.Throws<ManifestInvalidException>(() => Parse(json))!;

    [Test]
    public void DockerSchema2_IsAnImageManifestWithConfigAndLayers()
    {
        var manifest = (ImageManifest)Parse(DockerSchema2);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(manifest.EffectiveMediaType, Is.EqualTo(MediaTypes.DockerManifest));
            Assert.That(manifest.Config.Digest.ToString(), Is.EqualTo(A));
            Assert.That(manifest.Config.Size, Is.EqualTo(1457));
            Assert.That(manifest.Layers.Select(l => l.Digest.ToString()), Is.EqualTo(new[] { B }));
            Assert.That(manifest.References.Select(r => r.Digest.ToString()), Is.EqualTo(new[] { A, B }));
        }
    }

    [Test]
    public void DockerManifestList_IsAnIndexWithPlatforms()
    {
        var list = (ImageIndex)Parse(DockerManifestList);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(list.EffectiveMediaType, Is.EqualTo(MediaTypes.DockerManifestList));
            Assert.That(list.Manifests, Has.Count.EqualTo(2));
            Assert.That(list.Manifests[1].Platform!.Architecture, Is.EqualTo("arm"));
            Assert.That(list.Manifests[1].Platform!.Variant, Is.EqualTo("v7"));
        }
    }

    [Test]
    public void OciImage_KeepsAnnotationsAndEveryLayer()
    {
        var manifest = (ImageManifest)Parse(OciImageFromBuildkit);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(manifest.EffectiveMediaType, Is.EqualTo(MediaTypes.OciManifest));
            Assert.That(manifest.Layers, Has.Count.EqualTo(2));
            Assert.That(manifest.Annotations!["org.opencontainers.image.source"], Is.EqualTo("https://example.com/app"));
        }
    }

    [Test]
    public void OciImage_WithoutMediaType_IsInferredFromItsShape()
    {
        Assert.That(Parse(OciImageWithoutMediaType).EffectiveMediaType, Is.EqualTo(MediaTypes.OciManifest));
        Assert.That(Parse(OciIndexWithoutMediaType).EffectiveMediaType, Is.EqualTo(MediaTypes.OciIndex));
    }

    [Test]
    public void OciIndex_WithAttestationEntry_KeepsEntryAnnotations()
    {
        var index = (ImageIndex)Parse(OciIndexWithAttestation);
        Assert.That(index.Manifests[1].Annotations!["vnd.docker.reference.type"], Is.EqualTo("attestation-manifest"));
    }

    [Test]
    public void OciArtifact_KeepsArtifactTypeSubjectAndEmptyConfig()
    {
        var artifact = (ImageManifest)Parse(OciArtifactWithSubject);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(artifact.ArtifactType, Is.EqualTo("application/vnd.dev.cosign.artifact.sig.v1+json"));
            Assert.That(artifact.Subject!.Digest.ToString(), Is.EqualTo(C));
            Assert.That(artifact.Config.MediaType, Is.EqualTo(MediaTypes.OciEmpty));
            Assert.That(artifact.Config.Data, Is.EqualTo("e30="));
            Assert.That(artifact.References.Select(r => r.Digest.ToString()), Does.Not.Contain(C), "the subject is not a required reference");
        }
    }

    [Test]
    public void OciArtifact_WithNoLayers_IsValid() =>
        Assert.That(((ImageManifest)Parse(OciArtifactWithoutLayers)).Layers, Is.Empty);

    [Test]
    public void ForeignLayer_KeepsItsUrls()
    {
        var manifest = (ImageManifest)Parse(WindowsForeignLayers);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(manifest.Layers[0].Urls, Has.Count.EqualTo(1));
            Assert.That(MediaTypes.IsNonDistributable(manifest.Layers[0].MediaType), Is.True);
            Assert.That(MediaTypes.IsNonDistributable(manifest.Layers[1].MediaType), Is.False);
        }
    }

    [TestCase("not json at all", "not valid JSON")]
    [TestCase("", "not valid JSON")]
    [TestCase("[1,2,3]", "must be a JSON object")]
    [TestCase("""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"a/b","digest":"sha256:1111111111111111111111111111111111111111111111111111111111111111","size":1},"layers":[],}""", "not valid JSON")]
    [TestCase("""{"schemaVersion":3,"config":{},"layers":[]}""", "only 2 is defined")]
    [TestCase("""{"config":{"mediaType":"a/b","digest":"sha256:1111111111111111111111111111111111111111111111111111111111111111","size":1},"layers":[]}""", "schemaVersion is required")]
    [TestCase("""{"schemaVersion":"2","layers":[]}""", "schemaVersion must be the number 2")]
    [TestCase("""{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","layers":[]}""", "config is required")]
    [TestCase("""{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":"x","layers":[]}""", "config must be a descriptor")]
    [TestCase("""{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"a/b","digest":"sha256:1111111111111111111111111111111111111111111111111111111111111111","size":1}}""", "layers is required")]
    [TestCase("""{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"a/b","digest":"sha256:1111111111111111111111111111111111111111111111111111111111111111","size":1},"layers":{}}""", "layers must be an array")]
    [TestCase("""{"schemaVersion":2,"mediaType":"application/json","config":{},"layers":[]}""", "not a manifest type")]
    [TestCase("""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[],"layers":[]}""", "must not have config or layers")]
    [TestCase("""{"schemaVersion":2,"manifests":[],"layers":[]}""", "set mediaType")]
    [TestCase("""{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json","manifests":[{"mediaType":"application/vnd.docker.distribution.manifest.v2+json","digest":"sha256:1111111111111111111111111111111111111111111111111111111111111111","size":5}]}""", "manifests[0].platform is required")]
    [TestCase("""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:1111111111111111111111111111111111111111111111111111111111111111","size":5,"platform":{"os":"linux"}}]}""", "manifests[0].platform.architecture is required")]
    public void Broken_IsRefusedSayingWhy(string json, string reason) =>
        Assert.That(Refuse(json).Problems, Has.Some.Contains(reason));

    [TestCase("\"digest\":\"sha256:abc\"", "layers[0].digest")]
    [TestCase("\"digest\":\"md5:d41d8cd98f00b204e9800998ecf8427e\"", "unsupported digest algorithm")]
    [TestCase("\"digest\":7", "layers[0].digest must be a non-empty string")]
    [TestCase("\"size\":-1", "layers[0].size must be a non-negative integer")]
    [TestCase("\"size\":1.5", "layers[0].size must be a non-negative integer")]
    [TestCase("\"size\":\"10\"", "layers[0].size must be a non-negative integer")]
    [TestCase("\"size\":99999999999999999999", "layers[0].size must be a non-negative integer")]
    [TestCase("\"mediaType\":\"nonsense\"", "layers[0].mediaType 'nonsense' is not a media type")]
    [TestCase("\"mediaType\":\"text/plain; charset=utf-8\"", "is not a media type")]
    [TestCase("\"urls\":[\"ftp://example.com/x\"]", "layers[0].urls[0] must be an absolute http or https URL")]
    [TestCase("\"urls\":\"https://example.com/x\"", "layers[0].urls must be an array")]
    [TestCase("\"annotations\":{\"a\":1}", "layers[0].annotations.a must be a string")]
    [TestCase("\"data\":\"!!!\"", "layers[0].data is not valid base64")]
    [TestCase("\"data\":\"e30=\"", "layers[0].data does not match")]
    [TestCase("\"artifactType\":\"nope\"", "layers[0].artifactType 'nope' is not a media type")]
    public void BrokenLayerDescriptor_IsRefusedNamingTheField(string field, string reason)
    {
        var layer = new Dictionary<string, string>
        {
            ["mediaType"] = "\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\"",
            ["digest"] = $"\"digest\":\"{B}\"",
            ["size"] = "\"size\":10",
        };
        var name = field[1..field.IndexOf('"', 1)];
        layer[name] = field;
        var json = $$"""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{{A}}","size":3},"layers":[{{{string.Join(",", layer.Values)}}}]}""";
        Assert.That(Refuse(json).Problems, Has.Some.Contains(reason));
    }

    [Test]
    public void DuplicateKeys_AreRefused_SoNoTwoParsersReadItDifferently()
    {
        var json = $$"""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"a/b","digest":"{{A}}","digest":"{{B}}","size":3},"layers":[]}""";
        Assert.That(Refuse(json).Problems, Has.Some.Contains("not valid JSON"));
    }

    [TestCase("application/vnd.docker.distribution.manifest.v1+json")]
    [TestCase("application/vnd.docker.distribution.manifest.v1+prettyjws")]
    public void DockerSchema1_IsRefusedAsUnsupported(string mediaType)
    {
        var refusal = Refuse($$"""{"schemaVersion":1,"mediaType":"{{mediaType}}","name":"library/busybox","tag":"latest","fsLayers":[]}""");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(refusal.Unsupported, Is.True);
            Assert.That(refusal.Message, Does.Contain("schema1").And.Contain("skopeo copy --format v2s2"));
        }
    }

    [Test]
    public void SchemaVersion1_WithoutMediaType_IsRefusedAsUnsupported() =>
        Assert.That(Refuse("""{"schemaVersion":1,"name":"x","fsLayers":[]}""").Unsupported, Is.True);

    [Test]
    public void SeveralProblems_AreAllReported()
    {
        var refusal = Refuse("""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"x","size":-3},"layers":[{"digest":"sha256:1"}]}""");
        Assert.That(refusal.Problems, Has.Count.GreaterThanOrEqualTo(4));
    }

    [Test]
    public void DeeplyNested_IsRefusedWithoutOverflowingTheStack()
    {
        var json = "{\"schemaVersion\":2,\"annotations\":" + new string('[', 100_000) + new string(']', 100_000) + "}";
        Assert.That(Refuse(json).Problems, Has.Some.Contains("not valid JSON"));
    }
}
