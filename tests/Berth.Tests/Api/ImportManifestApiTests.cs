using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Tests.Support;
using Docker.Common;
using Docker.Common.Digests;
using Docker.Common.Manifests;
using NUnit.Framework;

namespace Berth.Tests.Api;

[TestFixture(StorageBackend.Default)]
[TestFixture(StorageBackend.PostgreSql)]
public sealed class ImportManifestApiTests(StorageBackend backend) : ApiFixture(ServerKind.InProcess, backend)
{
    private string _repository = null!;

    [SetUp]
    public async Task CreateRepository()
    {
        _repository = NewRepositoryId();
        await Api.CreateDockerRepositoryAsync(_repository);
    }

    private async Task<HttpResponseMessage> ImportDocumentAsync(byte[] bytes, string type, string? digest = null, JsonObject? metadata = null, string? repository = null) =>
        await Api.ImportAsync(
            repository ?? _repository,
            await Api.UploadAsync(bytes),
            type,
            digest is null ? new JsonObject() : new JsonObject { ["digest"] = digest },
            metadata);

    private static IEnumerable<TestCaseData> ImageKinds()
    {
        yield return new TestCaseData((Func<TestManifest>)(() => TestManifest.DockerImage())).SetName("DockerSchema2");
        yield return new TestCaseData((Func<TestManifest>)(() => TestManifest.OciImage())).SetName("OciImage");
    }

    [TestCaseSource(nameof(ImageKinds))]
    public async Task Image_WithItsBlobsInTheRepository_IsImportedAndStoredByteForByte(Func<TestManifest> make)
    {
        var image = make();
        var unit = await Api.ImportImageAsync(_repository, image);
        var metadata = unit["metadata"]!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(unit["unit_type_id"]!.GetValue<string>(), Is.EqualTo("docker_manifest"));
            Assert.That(unit["unit_key"]!["digest"]!.GetValue<string>(), Is.EqualTo(image.Digest.ToString()));
            Assert.That(metadata["media_type"]!.GetValue<string>(), Is.EqualTo(image.MediaType));
            Assert.That(metadata["size"]!.GetValue<long>(), Is.EqualTo(image.Bytes.Length));
            Assert.That(metadata["schema_version"]!.GetValue<int>(), Is.EqualTo(2));
            Assert.That(metadata["config"]!["digest"]!.GetValue<string>(), Is.EqualTo(image.Blobs[0].Digest.ToString()));
            Assert.That(
                metadata["layers"]!.AsArray().Select(l => l!["digest"]!.GetValue<string>()),
                Is.EqualTo(image.Blobs.Skip(1).Select(b => b.Digest.ToString())));
            Assert.That(await StoredContentAsync(image.Digest.ToString()), Is.EqualTo(image.Bytes));
        }
    }

    [Test]
    public async Task Manifest_WithoutAUnitKeyDigest_IsStoredUnderTheSha256OfItsBytes()
    {
        var image = TestManifest.DockerImage(layers: 1);
        foreach (var blob in image.Blobs)
        {
            await Api.ImportBlobAsync(_repository, blob);
        }

        using var response = await ImportDocumentAsync(image.Bytes, "docker_manifest");
        var unit = (await ContentApiClient.ReadAsync(response, HttpStatusCode.Accepted))["result"]!;
        Assert.That(unit["unit_key"]!["digest"]!.GetValue<string>(), Is.EqualTo(image.Digest.ToString()));
    }

    [Test]
    public async Task Manifest_WithWhitespaceAndKeyOrderOfItsOwn_KeepsItsExactBytes()
    {
        var config = TestBlob.Config();
        var layer = TestBlob.Random(50);
        await Api.ImportBlobAsync(_repository, config);
        await Api.ImportBlobAsync(_repository, layer);
        var text = $$$"""
            {
               "layers" : [ { "size" : 50, "digest" : "{{{layer.Digest}}}", "mediaType" : "{{{MediaTypes.DockerLayer}}}" } ],
               "config" : { "digest" : "{{{config.Digest}}}", "size" : {{{config.Bytes.Length}}}, "mediaType" : "{{{MediaTypes.DockerImageConfig}}}" },
               "mediaType" : "{{{MediaTypes.DockerManifest}}}",
               "schemaVersion" : 2
            }

            """;
        var bytes = Encoding.UTF8.GetBytes(text);
        using var response = await ImportDocumentAsync(bytes, "docker_manifest", Digest.Compute(bytes).ToString());
        await ContentApiClient.ReadAsync(response, HttpStatusCode.Accepted);
        Assert.That(await StoredContentAsync(Digest.Compute(bytes).ToString()), Is.EqualTo(bytes));
    }

    [Test]
    public async Task OciArtifact_KeepsArtifactTypeSubjectAndAnnotations()
    {
        var image = TestManifest.OciImage();
        await Api.ImportImageAsync(_repository, image);
        var sbom = TestManifest.OciArtifact(image);
        var metadata = (await Api.ImportImageAsync(_repository, sbom))["metadata"]!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(metadata["artifact_type"]!.GetValue<string>(), Is.EqualTo("application/vnd.example.sbom.v1+json"));
            Assert.That(metadata["subject"]!.GetValue<string>(), Is.EqualTo(image.Digest.ToString()));
            Assert.That(metadata["annotations"]!["org.example.kind"]!.GetValue<string>(), Is.EqualTo("sbom"));
            Assert.That(metadata["config"]!["media_type"]!.GetValue<string>(), Is.EqualTo(MediaTypes.OciEmpty));
        }
    }

    [Test]
    public async Task OciArtifact_WhoseSubjectIsNotInTheRepository_IsStillAccepted()
    {
        var absent = TestManifest.OciImage();
        var signature = TestManifest.OciArtifact(absent, "application/vnd.dev.cosign.artifact.sig.v1+json");
        var metadata = (await Api.ImportImageAsync(_repository, signature))["metadata"]!;
        Assert.That(metadata["subject"]!.GetValue<string>(), Is.EqualTo(absent.Digest.ToString()));
    }

    private static IEnumerable<TestCaseData> ListKinds()
    {
        yield return new TestCaseData((Func<TestManifest[], TestManifest>)TestManifest.DockerList).SetName("DockerManifestList");
        yield return new TestCaseData((Func<TestManifest[], TestManifest>)TestManifest.OciIndex).SetName("OciIndex");
    }

    [TestCaseSource(nameof(ListKinds))]
    public async Task List_WithItsManifestsInTheRepository_IsImported(Func<TestManifest[], TestManifest> make)
    {
        var amd64 = TestManifest.DockerImage(architecture: "amd64");
        var arm64 = TestManifest.DockerImage(architecture: "arm64");
        await Api.ImportImageAsync(_repository, amd64);
        await Api.ImportImageAsync(_repository, arm64);
        var list = make([amd64, arm64]);
        var unit = await Api.ImportManifestAsync(_repository, list, tag: "multi");
        var metadata = unit["metadata"]!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(unit["unit_type_id"]!.GetValue<string>(), Is.EqualTo("docker_manifest_list"));
            Assert.That(metadata["media_type"]!.GetValue<string>(), Is.EqualTo(list.MediaType));
            Assert.That(metadata["manifests"]!.AsArray().Select(m => m!["digest"]!.GetValue<string>()), Is.EqualTo(new[] { amd64.Digest.ToString(), arm64.Digest.ToString() }));
            Assert.That(metadata["manifests"]![1]!["platform"]!["architecture"]!.GetValue<string>(), Is.EqualTo("arm64"));
            Assert.That(await StoredContentAsync(list.Digest.ToString()), Is.EqualTo(list.Bytes));
        }

        var tag = (await Api.SearchUnitsAsync(_repository, "docker_tag")).Single()!["metadata"]!;
        Assert.That(tag["manifest_type"]!.GetValue<string>(), Is.EqualTo("list"));
    }

    [Test]
    public async Task IndexOfIndexes_IsImported()
    {
        var image = TestManifest.OciImage();
        await Api.ImportImageAsync(_repository, image);
        var inner = TestManifest.OciIndex(image);
        await Api.ImportManifestAsync(_repository, inner);
        var outer = TestManifest.OciIndex(inner);
        Assert.That((await Api.ImportManifestAsync(_repository, outer))["unit_type_id"]!.GetValue<string>(), Is.EqualTo("docker_manifest_list"));
    }

    [Test]
    public async Task Manifest_WithBlobsMissing_Is400NamingEachMissingDigest_AndStoresNothing()
    {
        var image = TestManifest.DockerImage(layers: 2);
        await Api.ImportBlobAsync(_repository, image.Blobs[0]);
        using var response = await ImportDocumentAsync(image.Bytes, "docker_manifest", image.Digest.ToString());
        var error = await ContentApiClient.ReadErrorAsync(
            response, HttpStatusCode.BadRequest, "BRT0109", image.Blobs[1].Digest.ToString(), image.Blobs[2].Digest.ToString());
        using (Assert.EnterMultipleScope())
        {
            Assert.That(
                error["error"]!["data"]!["missing_blobs"]!.AsArray().Select(d => d!.GetValue<string>()),
                Is.EquivalentTo(new[] { image.Blobs[1].Digest.ToString(), image.Blobs[2].Digest.ToString() }));
            Assert.That(error["error_message"]!.GetValue<string>(), Does.Not.Contain(image.Blobs[0].Digest.ToString()));
            Assert.That(await IsStoredAsync(image.Digest.ToString()), Is.False);
            Assert.That(await Api.SearchUnitsAsync(_repository, "docker_manifest"), Is.Empty);
        }
    }

    [Test]
    public async Task Manifest_WhoseBlobsAreOnlyInAnotherRepository_IsRefused()
    {
        var other = NewRepositoryId();
        await Api.CreateDockerRepositoryAsync(other);
        var image = TestManifest.DockerImage();
        foreach (var blob in image.Blobs)
        {
            await Api.ImportBlobAsync(other, blob);
        }

        using var response = await ImportDocumentAsync(image.Bytes, "docker_manifest");
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.BadRequest, "BRT0109", $"not in repository '{_repository}'");
    }

    [Test]
    public async Task Manifest_DeclaringAWrongBlobSize_Is400()
    {
        var layer = TestBlob.Random(100);
        var config = TestBlob.Config();
        await Api.ImportBlobAsync(_repository, layer);
        await Api.ImportBlobAsync(_repository, config);
        var manifest = new ImageManifest
        {
            MediaType = MediaTypes.DockerManifest,
            Config = config.Descriptor,
            Layers = [layer.Descriptor with { Size = 99 }],
        };
        using var response = await ImportDocumentAsync(JsonSerializer.SerializeToUtf8Bytes(manifest, DockerJsonContext.Default.ImageManifest), "docker_manifest");
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.BadRequest, "BRT0108", "declared 99 bytes but the blob is 100 bytes");
    }

    [Test]
    public async Task ForeignLayers_WithUrls_MayBeAbsent()
    {
        var config = TestBlob.Config();
        var local = TestBlob.Random(10);
        await Api.ImportBlobAsync(_repository, config);
        await Api.ImportBlobAsync(_repository, local);
        var foreign = Digest.Compute(Encoding.UTF8.GetBytes("windows base layer"));
        var manifest = new ImageManifest
        {
            MediaType = MediaTypes.DockerManifest,
            Config = config.Descriptor,
            Layers =
            [
                new Descriptor { MediaType = MediaTypes.DockerForeignLayer, Digest = foreign, Size = 1_000_000, Urls = ["https://example.com/layer.tar.gz"] },
                local.Descriptor,
            ],
        };
        using var response = await ImportDocumentAsync(JsonSerializer.SerializeToUtf8Bytes(manifest, DockerJsonContext.Default.ImageManifest), "docker_manifest");
        var unit = (await ContentApiClient.ReadAsync(response, HttpStatusCode.Accepted))["result"]!;
        Assert.That(unit["metadata"]!["layers"]![0]!["urls"]![0]!.GetValue<string>(), Is.EqualTo("https://example.com/layer.tar.gz"));
    }

    [Test]
    public async Task ForeignLayer_WithoutUrls_MustBePresent()
    {
        var config = TestBlob.Config();
        await Api.ImportBlobAsync(_repository, config);
        var foreign = Digest.Compute(Encoding.UTF8.GetBytes("no urls"));
        var manifest = new ImageManifest
        {
            MediaType = MediaTypes.DockerManifest,
            Config = config.Descriptor,
            Layers = [new Descriptor { MediaType = MediaTypes.DockerForeignLayer, Digest = foreign, Size = 7 }],
        };
        using var response = await ImportDocumentAsync(JsonSerializer.SerializeToUtf8Bytes(manifest, DockerJsonContext.Default.ImageManifest), "docker_manifest");
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.BadRequest, "BRT0109", foreign.ToString());
    }

    [Test]
    public async Task List_WithManifestsMissing_Is400NamingThem()
    {
        var present = TestManifest.DockerImage();
        var absent = TestManifest.DockerImage(architecture: "arm64");
        await Api.ImportImageAsync(_repository, present);
        var list = TestManifest.DockerList(present, absent);
        using var response = await ImportDocumentAsync(list.Bytes, "docker_manifest_list");
        var error = await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.BadRequest, "BRT0110", absent.Digest.ToString());
        Assert.That(error["error"]!["data"]!["missing_manifests"]!.AsArray().Select(d => d!.GetValue<string>()), Is.EqualTo(new[] { absent.Digest.ToString() }));
    }

    [Test]
    public async Task List_DeclaringAWrongMediaTypeForAManifest_Is400()
    {
        var image = TestManifest.DockerImage();
        await Api.ImportImageAsync(_repository, image);
        var index = new ImageIndex
        {
            MediaType = MediaTypes.OciIndex,
            Manifests = [image.Descriptor() with { MediaType = MediaTypes.OciManifest }],
        };
        using var response = await ImportDocumentAsync(JsonSerializer.SerializeToUtf8Bytes(index, DockerJsonContext.Default.ImageIndex), "docker_manifest_list");
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.BadRequest, "BRT0108", $"{image.Digest} is declared {MediaTypes.OciManifest} but is {MediaTypes.DockerManifest}");
    }

    [Test]
    public async Task ManifestUnitKeyDigest_ThatIsNotOfTheBytes_Is400()
    {
        var image = TestManifest.DockerImage();
        foreach (var blob in image.Blobs)
        {
            await Api.ImportBlobAsync(_repository, blob);
        }

        var wrong = Digest.Compute(Encoding.UTF8.GetBytes("something else"));
        using var response = await ImportDocumentAsync(image.Bytes, "docker_manifest", wrong.ToString());
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.BadRequest, "BRT0106", wrong.ToString(), image.Digest.ToString());
        Assert.That(await IsStoredAsync(image.Digest.ToString()), Is.False);
    }

    [Test]
    public async Task ManifestUnitKeyDigest_InSha512_IsHonoured()
    {
        var image = TestManifest.DockerImage();
        foreach (var blob in image.Blobs)
        {
            await Api.ImportBlobAsync(_repository, blob);
        }

        var digest = Digest.Compute(image.Bytes, DigestAlgorithm.Sha512);
        using var response = await ImportDocumentAsync(image.Bytes, "docker_manifest", digest.ToString());
        var unit = (await ContentApiClient.ReadAsync(response, HttpStatusCode.Accepted))["result"]!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(unit["unit_key"]!["digest"]!.GetValue<string>(), Is.EqualTo(digest.ToString()));
            Assert.That(await StoredContentAsync(digest.ToString()), Is.EqualTo(image.Bytes));
        }
    }

    [Test]
    public async Task List_ImportedAsAManifest_Is400SayingWhichTypeToUse()
    {
        var image = TestManifest.DockerImage();
        await Api.ImportImageAsync(_repository, image);
        using var asManifest = await ImportDocumentAsync(TestManifest.DockerList(image).Bytes, "docker_manifest");
        await ContentApiClient.ReadErrorAsync(asManifest, HttpStatusCode.BadRequest, "BRT0108", "docker_manifest_list");
        using var asList = await ImportDocumentAsync(image.Bytes, "docker_manifest_list");
        await ContentApiClient.ReadErrorAsync(asList, HttpStatusCode.BadRequest, "BRT0108", "unit_type_id docker_manifest");
    }

    [TestCase("this is not json", "not valid JSON")]
    [TestCase("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\",\"layers\":[]}", "config is required")]
    [TestCase("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\",\"config\":{\"mediaType\":\"x/y\",\"digest\":\"sha256:1\",\"size\":1},\"layers\":[]}", "config.digest")]
    [TestCase("{\"schemaVersion\":1,\"name\":\"library/busybox\",\"tag\":\"latest\",\"fsLayers\":[]}", "schema1")]
    public async Task InvalidManifest_Is400ListingTheProblems(string document, string reason)
    {
        using var response = await ImportDocumentAsync(Encoding.UTF8.GetBytes(document), "docker_manifest");
        var error = await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.BadRequest, "BRT0108", reason);
        Assert.That(error["error"]!["data"]!["problems"]!.AsArray(), Is.Not.Empty);
    }

    [Test]
    public async Task ManifestLargerThanTheLimit_Is413_AndTheLimitIsConfigurable()
    {
        var image = TestManifest.DockerImage();
        foreach (var blob in image.Blobs)
        {
            await Api.ImportBlobAsync(_repository, blob);
        }

        using var response = await Api.ImportAsync(
            _repository, await Api.UploadAsync(image.Bytes), "docker_manifest", new JsonObject(), overrideConfig: new JsonObject { ["max_manifest_bytes"] = 100 });
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, "BRT0107", "largest accepted is 100 bytes");
    }

    [Test]
    public async Task ManifestOverFourMebibytes_IsRefusedByDefault()
    {
        var padding = new string(' ', 4 * 1024 * 1024);
        using var response = await ImportDocumentAsync(Encoding.UTF8.GetBytes("{\"schemaVersion\":2" + padding + "}"), "docker_manifest");
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, "BRT0107");
    }

    [Test]
    public async Task Manifest_WithATag_CreatesTheTag_AndATagMovesWhenImportedAgain()
    {
        var first = TestManifest.DockerImage();
        var second = TestManifest.OciImage();
        await Api.ImportImageAsync(_repository, first, tag: "stable");
        var before = (await Api.SearchUnitsAsync(_repository, "docker_tag")).Single()!;
        await Api.ImportImageAsync(_repository, second, tag: "stable");
        var after = (await Api.SearchUnitsAsync(_repository, "docker_tag")).Single()!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(before["metadata"]!["manifest_digest"]!.GetValue<string>(), Is.EqualTo(first.Digest.ToString()));
            Assert.That(after["metadata"]!["manifest_digest"]!.GetValue<string>(), Is.EqualTo(second.Digest.ToString()));
            Assert.That(after["metadata"]!["name"]!.GetValue<string>(), Is.EqualTo("stable"));
            Assert.That(after["unit_id"]!.GetValue<string>(), Is.EqualTo(before["unit_id"]!.GetValue<string>()), "a tag is moved, not duplicated");
            Assert.That(await Api.SearchUnitsAsync(_repository, "docker_manifest"), Has.Count.EqualTo(2), "the old manifest stays");
        }
    }

    [Test]
    public async Task TagsWithTheSameNameInTwoRepositories_AreIndependent()
    {
        var other = NewRepositoryId();
        await Api.CreateDockerRepositoryAsync(other);
        var (first, second) = (TestManifest.DockerImage(), TestManifest.DockerImage());
        await Api.ImportImageAsync(_repository, first, tag: "latest");
        await Api.ImportImageAsync(other, second, tag: "latest");
        using (Assert.EnterMultipleScope())
        {
            Assert.That((await Api.SearchUnitsAsync(_repository, "docker_tag")).Single()!["metadata"]!["manifest_digest"]!.GetValue<string>(), Is.EqualTo(first.Digest.ToString()));
            Assert.That((await Api.SearchUnitsAsync(other, "docker_tag")).Single()!["metadata"]!["manifest_digest"]!.GetValue<string>(), Is.EqualTo(second.Digest.ToString()));
        }
    }

    [Test]
    public async Task TagNames_AreCaseSensitive()
    {
        var image = TestManifest.DockerImage();
        await Api.ImportImageAsync(_repository, image, tag: "Latest");
        await Api.ImportManifestAsync(_repository, image, tag: "latest");
        Assert.That((await Api.SearchUnitsAsync(_repository, "docker_tag")).Select(t => t!["metadata"]!["name"]!.GetValue<string>()), Is.EquivalentTo(new[] { "Latest", "latest" }));
    }

    [TestCase(".hidden")]
    [TestCase("-dash")]
    [TestCase("has space")]
    [TestCase("slash/tag")]
    public async Task Manifest_WithAnInvalidTag_Is400_AndIsNotImported(string tag)
    {
        var image = TestManifest.DockerImage();
        foreach (var blob in image.Blobs)
        {
            await Api.ImportBlobAsync(_repository, blob);
        }

        using var response = await ImportDocumentAsync(image.Bytes, "docker_manifest", metadata: new JsonObject { ["tag"] = tag });
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.BadRequest, "BRT0111", "not a valid tag");
        Assert.That(await Api.SearchUnitsAsync(_repository, "docker_manifest", "docker_tag"), Is.Empty);
    }

    [Test]
    public async Task Manifest_WithUnknownMetadata_Is400()
    {
        using var response = await ImportDocumentAsync(TestManifest.DockerImage().Bytes, "docker_manifest", metadata: new JsonObject { ["labels"] = "x" });
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.BadRequest, "BRT0103", "labels");
    }

    [Test]
    public async Task Manifest_WithoutUpload_Is400()
    {
        using var response = await Api.ImportAsync(_repository, null, "docker_manifest", new JsonObject());
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.BadRequest, "BRT0104", "upload_id");
    }
}
