using System.Net;
using System.Text.Json.Nodes;
using Berth.Tests.Support;
using Docker.Common.Digests;
using NUnit.Framework;

namespace Berth.Tests.Api;

[TestFixture(StorageBackend.Default)]
[TestFixture(StorageBackend.PostgreSql)]
public sealed class ImportTagApiTests(StorageBackend backend) : ApiFixture(ServerKind.InProcess, backend)
{
    private string _repository = null!;

    [SetUp]
    public async Task CreateRepository()
    {
        _repository = NewRepositoryId();
        await Api.CreateDockerRepositoryAsync(_repository);
    }

    private Task<HttpResponseMessage> TagAsync(string name, object digest, string? repository = null, JsonObject? key = null) =>
        Api.ImportAsync(repository ?? _repository, null, "docker_tag", key ?? new JsonObject { ["name"] = name }, new JsonObject { ["manifest_digest"] = digest.ToString() });

    [Test]
    public async Task Tag_WithoutAnUpload_PointsANameAtAManifestInTheRepository()
    {
        var image = TestManifest.DockerImage();
        await Api.ImportImageAsync(_repository, image);
        using var response = await TagAsync("1.0", image.Digest);
        var unit = (await ContentApiClient.ReadAsync(response, HttpStatusCode.Accepted))["result"]!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(unit["unit_type_id"]!.GetValue<string>(), Is.EqualTo("docker_tag"));
            Assert.That(unit["unit_key"]!["name"]!.GetValue<string>(), Is.EqualTo("1.0"));
            Assert.That(unit["unit_key"]!["repo_id"]!.GetValue<string>(), Is.EqualTo(_repository));
            Assert.That(unit["metadata"]!["manifest_digest"]!.GetValue<string>(), Is.EqualTo(image.Digest.ToString()));
            Assert.That(unit["metadata"]!["manifest_type"]!.GetValue<string>(), Is.EqualTo("image"), "pulp_docker's word for what the tag points at");
            Assert.That(unit["metadata"]!["schema_version"]!.GetValue<int>(), Is.EqualTo(2));
        }
    }

    [Test]
    public async Task Tag_CanPointAtAList()
    {
        var image = TestManifest.OciImage();
        await Api.ImportImageAsync(_repository, image);
        var index = TestManifest.OciIndex(image);
        await Api.ImportManifestAsync(_repository, index);
        using var response = await TagAsync("multi", index.Digest);
        var unit = (await ContentApiClient.ReadAsync(response, HttpStatusCode.Accepted))["result"]!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(unit["metadata"]!["manifest_type"]!.GetValue<string>(), Is.EqualTo("list"));
            Assert.That(unit["metadata"]!["schema_version"]!.GetValue<int>(), Is.EqualTo(2));
        }

        // Pulled by the tag, the list is served: the tag's manifest_type leads to the right unit.
        using var pulled = await Api.Http.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/v2/{_repository}/manifests/multi")
        {
            Headers = { { "Accept", index.MediaType } },
        });
        Assert.That(await pulled.Content.ReadAsByteArrayAsync(), Is.EqualTo(index.Bytes));
    }

    [Test]
    public async Task Tag_OfAManifestNotInTheRepository_Is400()
    {
        var other = NewRepositoryId();
        await Api.CreateDockerRepositoryAsync(other);
        var image = TestManifest.DockerImage();
        await Api.ImportImageAsync(other, image);
        using var response = await TagAsync("latest", image.Digest);
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.BadRequest, "BRT0110", image.Digest.ToString(), "import the manifest first");
        Assert.That(await Api.SearchUnitsAsync(_repository, "docker_tag"), Is.Empty);
    }

    [Test]
    public async Task Tag_OfABlobDigest_Is400()
    {
        var blob = TestBlob.Random(10);
        await Api.ImportBlobAsync(_repository, blob);
        using var response = await TagAsync("latest", blob.Digest);
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.BadRequest, "BRT0110");
    }

    [Test]
    public async Task Tag_WithAMismatchedRepoIdInTheKey_Is400()
    {
        var image = TestManifest.DockerImage();
        await Api.ImportImageAsync(_repository, image);
        using var response = await TagAsync("x", image.Digest, key: new JsonObject { ["name"] = "x", ["repo_id"] = "elsewhere" });
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.BadRequest, "BRT0102", "elsewhere");
    }

    [Test]
    public async Task Tag_WithAnUploadHoldingBytes_Is400()
    {
        var image = TestManifest.DockerImage();
        await Api.ImportImageAsync(_repository, image);
        using var response = await Api.ImportAsync(
            _repository, await Api.UploadAsync([1]), "docker_tag", new JsonObject { ["name"] = "x" }, new JsonObject { ["manifest_digest"] = image.Digest.ToString() });
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.BadRequest, "BRT0102", "reads no bytes");
    }

    // As pulp_docker's clients send a tag (issue 17, row 3): an upload with nothing written to it, the repository in the
    // unit key, and the tag's name and manifest digest in pulp_docker's own metadata fields.
    [Test]
    public async Task Tag_AsPulpDockerSendsIt_WithAnEmptyUploadAndDigest_PointsTheName()
    {
        var image = TestManifest.DockerImage();
        await Api.ImportImageAsync(_repository, image);
        using var response = await Api.ImportAsync(
            _repository,
            await Api.CreateUploadAsync(),
            "docker_tag",
            new JsonObject { ["name"] = "stable", ["repo_id"] = _repository },
            new JsonObject { ["name"] = "stable", ["digest"] = image.Digest.ToString() });
        var unit = (await ContentApiClient.ReadAsync(response, HttpStatusCode.Accepted))["result"]!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(unit["unit_key"]!["name"]!.GetValue<string>(), Is.EqualTo("stable"));
            Assert.That(unit["metadata"]!["manifest_digest"]!.GetValue<string>(), Is.EqualTo(image.Digest.ToString()));
        }

        var tags = await Api.GetJsonAsync($"/repositories/{_repository}/");
        Assert.That(tags["content_unit_counts"]!["docker_tag"]!.GetValue<long>(), Is.EqualTo(1));
    }

    [Test]
    public async Task Tag_WithBothDigestFieldsAgreeing_IsImported()
    {
        var image = TestManifest.DockerImage();
        await Api.ImportImageAsync(_repository, image);
        using var response = await Api.ImportAsync(
            _repository, null, "docker_tag", new JsonObject { ["name"] = "x" },
            new JsonObject { ["digest"] = image.Digest.ToString(), ["manifest_digest"] = image.Digest.ToString() });
        await ContentApiClient.ReadAsync(response, HttpStatusCode.Accepted);
    }

    [TestCase("{}", "{\"manifest_digest\":\"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\"}", "BRT0102", "unit_key.name is required")]
    [TestCase("{\"name\":\"ok\"}", "{}", "BRT0103", "unit_metadata.manifest_digest (or digest) is required")]
    [TestCase("{\"name\":\"ok\"}", "{\"digest\":\"latest\"}", "BRT0105", "unit_metadata.digest: ")]
    [TestCase("{\"name\":\"ok\"}", "{\"digest\":\"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\",\"manifest_digest\":\"sha256:0000000000000000000000000000000000000000000000000000000000000000\"}", "BRT0103", "differ")]
    [TestCase("{\"name\":\"ok\"}", "{\"name\":\"other\",\"digest\":\"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\"}", "BRT0103", "unit_metadata.name is 'other' but unit_key.name is 'ok'")]
    [TestCase("{\"name\":\"ok\"}", "{\"manifest_digest\":\"latest\"}", "BRT0105", "not a digest")]
    [TestCase("{\"name\":\"a:b\"}", "{\"manifest_digest\":\"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\"}", "BRT0111", "not a valid tag")]
    [TestCase("{\"name\":\"ok\",\"other\":1}", "{\"manifest_digest\":\"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\"}", "BRT0102", "unknown field other")]
    public async Task Tag_Malformed_Is400(string key, string metadata, string code, string reason)
    {
        using var response = await Api.ImportAsync(_repository, null, "docker_tag", JsonNode.Parse(key)!.AsObject(), JsonNode.Parse(metadata)!.AsObject());
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.BadRequest, code, reason);
    }

    [Test]
    public async Task Tag_OfA128CharacterName_IsAccepted_And129IsNot()
    {
        var image = TestManifest.DockerImage();
        await Api.ImportImageAsync(_repository, image);
        using (var ok = await TagAsync(new string('t', 128), image.Digest))
        {
            await ContentApiClient.ReadAsync(ok, HttpStatusCode.Accepted);
        }

        using var tooLong = await TagAsync(new string('t', 129), image.Digest);
        await ContentApiClient.ReadErrorAsync(tooLong, HttpStatusCode.BadRequest, "BRT0111");
    }

    [Test]
    public async Task Tag_UnknownDigestAlgorithm_Is400() =>
        await ContentApiClient.ReadErrorAsync(
            await TagAsync("x", "md5:d41d8cd98f00b204e9800998ecf8427e"), HttpStatusCode.BadRequest, "BRT0105", "md5");

    [Test]
    public async Task Tag_OfAnAbsentSha512Manifest_NamesIt()
    {
        var digest = Digest.Compute([1, 2, 3], DigestAlgorithm.Sha512);
        using var response = await TagAsync("x", digest);
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.BadRequest, "BRT0110", digest.ToString());
    }
}
