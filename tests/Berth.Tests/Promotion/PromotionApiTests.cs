using System.Net;
using System.Text.Json.Nodes;
using Berth.Tests.Access;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Promotion;

/// <summary>Promotion with <c>actions/associate/</c>: units shared, not copied, with everything they need.</summary>
[TestFixture(StorageBackend.Default)]
[TestFixture(StorageBackend.PostgreSql)]
public sealed class PromotionApiTests(StorageBackend backend) : AccessFixture(ServerKind.InProcess, backend)
{
    [Test]
    public async Task PromotingATag_BringsItsManifestAndBlobs_WithoutCopyingABlob()
    {
        var (builds, staging) = (await DockerRepositoryAsync(), await DockerRepositoryAsync());
        var image = TestManifest.DockerImage(layers: 2);
        await Api.ImportImageAsync(builds, image, "1.4.2");
        await Api.ImportImageAsync(builds, TestManifest.DockerImage(), "other");
        var files = ContentFiles();

        var result = await AssociateAsync(staging, builds, TagCriteria("1.4.2"));

        Assert.That(result["units_successful"]!.AsArray(), Has.Count.EqualTo(image.Blobs.Count + 2));
        Assert.That(ContentFiles(), Is.EqualTo(files), "promotion wrote content");
        await AssertServedAsync(staging, "1.4.2", image);
        using var other = await Api.Http.GetAsync($"/v2/{staging}/manifests/other");
        Assert.That(other.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task PromotingAList_BringsEveryManifestAndTheirBlobs_AlongAChain()
    {
        var (builds, staging, production) = (await DockerRepositoryAsync(), await DockerRepositoryAsync(), await DockerRepositoryAsync());
        var amd64 = TestManifest.OciImage(layers: 2);
        var arm64 = TestManifest.OciImage();
        var index = TestManifest.OciIndex(amd64, arm64);
        await Api.ImportImageAsync(builds, amd64);
        await Api.ImportImageAsync(builds, arm64);
        await Api.ImportManifestAsync(builds, index, "2.0");

        await AssociateAsync(staging, builds, TagCriteria("2.0"));
        await AssociateAsync(production, staging, TagCriteria("2.0"));

        await AssertServedAsync(production, "2.0", index);
        await AssertServedAsync(production, amd64.Digest.ToString(), amd64);
        await AssertServedAsync(production, arm64.Digest.ToString(), arm64);
    }

    [Test]
    public async Task PromotingAManifestByDigest_BringsItsBlobs_ButNoTag()
    {
        var (builds, staging) = (await DockerRepositoryAsync(), await DockerRepositoryAsync());
        var image = TestManifest.OciImage();
        await Api.ImportImageAsync(builds, image, "1.0");
        var criteria = new JsonObject
        {
            ["type_ids"] = new JsonArray("docker_manifest"),
            ["filters"] = new JsonObject { ["unit"] = new JsonObject { ["digest"] = new JsonObject { ["$in"] = new JsonArray(image.Digest.ToString()) } } },
        };

        await AssociateAsync(staging, builds, criteria);

        await AssertServedAsync(staging, image.Digest.ToString(), image);
        Assert.That(await Api.SearchUnitsAsync(staging, "docker_tag"), Is.Empty);
    }

    [Test]
    public async Task Associate_ByPulp2Criteria_CopiesTheTagsChosen_WithWhatTheyNeed()
    {
        var (builds, staging) = (await DockerRepositoryAsync(), await DockerRepositoryAsync());
        var (one, two) = (TestManifest.DockerImage(), TestManifest.DockerImage());
        await Api.ImportImageAsync(builds, one, "1.0");
        await Api.ImportImageAsync(builds, one, "1.1-rc");
        await Api.ImportImageAsync(builds, two, "2.0");

        await AssociateAsync(staging, builds, JsonNode.Parse("""
            {"type_ids": ["docker_tag"],
             "filters": {"unit": {"$and": [{"name": {"$regex": "^1\\."}}, {"$nor": [{"name": {"$regex": "-rc$"}}]}]},
                         "association": {"created": {"$lte": {"$date": "2999-01-01T00:00:00Z"}}}}}
            """)!.AsObject());

        using (Assert.EnterMultipleScope())
        {
            Assert.That((await Api.SearchUnitsAsync(staging, "docker_tag")).Select(t => t!["metadata"]!["name"]!.GetValue<string>()), Is.EqualTo(new[] { "1.0" }));
            Assert.That((await Api.SearchUnitsAsync(staging, "docker_manifest")).Select(m => m!["metadata"]!["digest"]!.GetValue<string>()), Is.EqualTo(new[] { one.Digest.ToString() }));
        }

        await AssertServedAsync(staging, "1.0", one);
    }

    [Test]
    public async Task Unassociate_ByPulp2Criteria_RemovesTheTagsChosen()
    {
        var builds = await DockerRepositoryAsync();
        var image = TestManifest.DockerImage();
        foreach (var tag in new[] { "1.0", "1.1", "2.0" })
        {
            await Api.ImportImageAsync(builds, image, tag);
        }

        using (var response = await Api.PostJsonAsync($"/repositories/{builds}/actions/unassociate/", """
            {"criteria": {"type_ids": ["docker_tag"], "filters": {"unit": {"name": {"$in": ["1.0", "2.0"]}}}}}
            """))
        {
            await ContentApiClient.ReadAsync(response, HttpStatusCode.Accepted);
        }

        Assert.That((await Api.SearchUnitsAsync(builds, "docker_tag")).Select(t => t!["metadata"]!["name"]!.GetValue<string>()), Is.EqualTo(new[] { "1.1" }));
    }

    [Test]
    public async Task Referrers_ComeAlongOnlyWhenAsked()
    {
        var (builds, plain, withReferrers) = (await DockerRepositoryAsync(), await DockerRepositoryAsync(), await DockerRepositoryAsync());
        var image = TestManifest.OciImage();
        var sbom = TestManifest.OciArtifact(image);
        var signature = TestManifest.OciArtifact(sbom, "application/vnd.example.signature.v1");
        await Api.ImportImageAsync(builds, image, "1.0");
        await Api.ImportImageAsync(builds, sbom);
        await Api.ImportImageAsync(builds, signature);

        await AssociateAsync(plain, builds, TagCriteria("1.0"));
        using (var response = await Api.PostJsonAsync($"/repositories/{withReferrers}/actions/associate/", new JsonObject
        {
            ["source_repo_id"] = builds,
            ["criteria"] = TagCriteria("1.0"),
            ["override_config"] = new JsonObject { ["referrers"] = true },
        }))
        {
            await ContentApiClient.ReadAsync(response, HttpStatusCode.Accepted);
        }

        Assert.That(await Api.SearchUnitsAsync(plain, "docker_manifest"), Has.Count.EqualTo(1));
        await AssertServedAsync(withReferrers, sbom.Digest.ToString(), sbom);
        await AssertServedAsync(withReferrers, signature.Digest.ToString(), signature);
        using var referrers = await Api.Http.GetAsync($"/v2/{withReferrers}/referrers/{image.Digest}");
        Assert.That(await referrers.Content.ReadAsStringAsync(), Does.Contain(sbom.Digest.ToString()));
    }

    [Test]
    public async Task DestinationWithoutAManifestImporter_IsRefused_AndGetsNothing()
    {
        var builds = await DockerRepositoryAsync();
        var blobsOnly = NewRepositoryId();
        await Api.CreateRepositoryAsync(blobsOnly, "docker_blob_importer");
        await Api.ImportImageAsync(builds, TestManifest.DockerImage(), "1.0");

        using var response = await Api.PostJsonAsync($"/repositories/{blobsOnly}/actions/associate/", Body(builds, TagCriteria("1.0")));

        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.BadRequest, "BRT0202", "docker_manifest_importer");
        Assert.That(await Api.SearchUnitsAsync(blobsOnly), Is.Empty);
    }

    [TestCase("""{"criteria": {}}""")]
    [TestCase("""{"source_repo_id": 5}""")]
    [TestCase("""{"source_repo_id": "SOURCE", "criteria": {"filters": {"unit": {"digest": {"$where": "1"}}}}}""")]
    [TestCase("""{"source_repo_id": "SOURCE", "criteria": {"filters": {"association": {"owner": "x"}}}}""")]
    [TestCase("""{"source_repo_id": "SOURCE", "criteria": {"type_ids": "docker_tag"}}""")]
    [TestCase("""{"source_repo_id": "SOURCE", "criteria": {"sort": []}}""")]
    [TestCase("""{"source_repo_id": "DEST"}""")]
    [TestCase("""{"source_repo_id": "SOURCE", "override_config": {"referrers": "yes"}}""")]
    [TestCase("""{"source_repo_id": "SOURCE", "override_config": {"recursive": true}}""")]
    public async Task BadRequests_AreRefused(string body)
    {
        var (source, destination) = (await DockerRepositoryAsync(), await DockerRepositoryAsync());
        using var response = await Api.PostJsonAsync(
            $"/repositories/{destination}/actions/associate/", body.Replace("SOURCE", source, StringComparison.Ordinal).Replace("DEST", destination, StringComparison.Ordinal));
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.BadRequest, "PLP0015");
    }

    [Test]
    public async Task UnknownSource_IsNotFound()
    {
        var destination = await DockerRepositoryAsync();
        using var response = await Api.PostJsonAsync($"/repositories/{destination}/actions/associate/", Body("no-such-repository", []));
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.NotFound, "PLP0009");
    }

    [Test]
    public async Task PullOnTheSourceWithoutPushOnTheDestination_IsForbidden()
    {
        var (builds, staging) = (await DockerRepositoryAsync(), await DockerRepositoryAsync());
        await Api.ImportImageAsync(builds, TestManifest.OciImage(), "1.0");
        var reader = await CreateUserAsync((builds, "pull"), (staging, "pull"));

        using var response = await ApiAs(reader).PostJsonAsync($"/repositories/{staging}/actions/associate/", Body(builds, TagCriteria("1.0")));

        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.Forbidden, "BRT0403");
        Assert.That(await Api.SearchUnitsAsync(staging), Is.Empty);
    }

    private static JsonObject TagCriteria(string tag) => new()
    {
        ["type_ids"] = new JsonArray("docker_tag"),
        ["filters"] = new JsonObject { ["unit"] = new JsonObject { ["name"] = tag } },
    };

    private static JsonObject Body(string source, JsonObject criteria) => new() { ["source_repo_id"] = source, ["criteria"] = criteria };

    private async Task<JsonNode> AssociateAsync(string destination, string source, JsonObject criteria)
    {
        using var response = await Api.PostJsonAsync($"/repositories/{destination}/actions/associate/", Body(source, criteria));
        return (await ContentApiClient.ReadAsync(response, HttpStatusCode.Accepted))["result"]!;
    }

    private string[] ContentFiles() =>
        [.. Directory.EnumerateFiles(Path.Combine(Host.DataDir, "content"), "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)];

    private async Task AssertServedAsync(string repository, string reference, TestManifest image)
    {
        using var manifest = await Api.Http.GetAsync($"/v2/{repository}/manifests/{reference}");
        Assert.That(manifest.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"{repository}:{reference}");
        Assert.That(await manifest.Content.ReadAsByteArrayAsync(), Is.EqualTo(image.Bytes));
        foreach (var blob in image.Blobs)
        {
            using var response = await Api.Http.GetAsync($"/v2/{repository}/blobs/{blob.Digest}");
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"{repository}@{blob.Digest}");
        }
    }
}
