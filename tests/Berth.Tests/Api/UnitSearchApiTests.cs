using System.Net;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Api;

[TestFixture(StorageBackend.Default)]
[TestFixture(StorageBackend.PostgreSql)]
public sealed class UnitSearchApiTests(StorageBackend backend) : ApiFixture(ServerKind.InProcess, backend)
{
    private string _repository = null!;
    private TestManifest _image = null!;

    [OneTimeSetUp]
    public async Task FillARepository()
    {
        _repository = NewRepositoryId();
        await Api.CreateDockerRepositoryAsync(_repository);
        _image = TestManifest.DockerImage(layers: 3);
        await Api.ImportImageAsync(_repository, _image, tag: "v1");
    }

    [Test]
    public async Task Search_ByType_ReturnsOnlyThoseUnits_WithTheirMetadata()
    {
        var blobs = await Api.SearchUnitsAsync(_repository, "docker_blob");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(blobs.Select(b => b!["metadata"]!["digest"]!.GetValue<string>()), Is.EquivalentTo(_image.Blobs.Select(b => b.Digest.ToString())));
            Assert.That(blobs.Select(b => b!["metadata"]!["size"]!.GetValue<long>()), Is.EquivalentTo(_image.Blobs.Select(b => (long)b.Bytes.Length)));
            Assert.That(blobs.All(b => b!["unit_type_id"]!.GetValue<string>() == "docker_blob"), Is.True);
            Assert.That(blobs.All(b => b!["repo_id"]!.GetValue<string>() == _repository), Is.True);
        }
    }

    [Test]
    public async Task Search_OfATag_ShowsItsNameAndManifestDigest()
    {
        var tag = (await Api.SearchUnitsAsync(_repository, "docker_tag")).Single()!["metadata"]!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(tag["name"]!.GetValue<string>(), Is.EqualTo("v1"));
            Assert.That(tag["manifest_digest"]!.GetValue<string>(), Is.EqualTo(_image.Digest.ToString()));
        }
    }

    [Test]
    public async Task Search_WithoutTypes_ReturnsEverything_OldestFirst()
    {
        var all = await Api.SearchUnitsAsync(_repository);
        Assert.That(all.Select(u => u!["unit_type_id"]!.GetValue<string>()), Is.EqualTo(new[] { "docker_blob", "docker_blob", "docker_blob", "docker_blob", "docker_manifest", "docker_tag" }));
    }

    [Test]
    public async Task Search_SkipAndLimit_Page()
    {
        using var response = await Api.PostJsonAsync($"/repositories/{_repository}/search/units/", """{"criteria":{"skip":1,"limit":2}}""");
        var page = (await ContentApiClient.ReadAsync(response, HttpStatusCode.OK)).AsArray();
        var all = await Api.SearchUnitsAsync(_repository);
        Assert.That(page.Select(u => u!["unit_id"]!.GetValue<string>()), Is.EqualTo(all.Skip(1).Take(2).Select(u => u!["unit_id"]!.GetValue<string>())));
    }

    [Test]
    public async Task Search_OfAnEmptyRepository_IsEmpty()
    {
        var empty = NewRepositoryId();
        await Api.CreateRepositoryAsync(empty);
        Assert.That(await Api.SearchUnitsAsync(empty), Is.Empty);
    }

    [TestCase("{\"criteria\":{\"type_ids\":\"docker_blob\"}}", "type_ids must be an array of strings")]
    [TestCase("{\"criteria\":{\"limit\":-1}}", "criteria.limit must be a positive integer")]
    [TestCase("{\"criteria\":{\"limit\":0}}", "criteria.limit must be a positive integer")]
    [TestCase("{\"criteria\":{\"sort\":[]}}", "criteria.sort must be an object")]
    [TestCase("{\"criteria\":{\"order\":[]}}", "criteria has unknown field order")]
    [TestCase("{\"filters\":{}}", "unknown field filters")]
    [TestCase("{\"criteria\":7}", "criteria must be an object")]
    public async Task Search_MalformedCriteria_Is400(string body, string reason)
    {
        using var response = await Api.PostJsonAsync($"/repositories/{_repository}/search/units/", body);
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.BadRequest, "PLP0015", reason);
    }

    [Test]
    public async Task Search_WithPulp2Criteria_Filters_Sorts_AndShowsTheFieldsAsked()
    {
        var repository = NewRepositoryId();
        await Api.CreateDockerRepositoryAsync(repository);
        var image = TestManifest.DockerImage();
        foreach (var tag in new[] { "v1", "v2", "v10", "latest" })
        {
            await Api.ImportImageAsync(repository, image, tag);
        }

        using var response = await Api.PostJsonAsync($"/repositories/{repository}/search/units/", """
            {"criteria": {
              "type_ids": ["docker_tag"],
              "filters": {"unit": {"name": {"$regex": "^V", "$options": "i"}}, "association": {"created": {"$gte": {"$date": "2000-01-01T00:00:00Z"}}}},
              "sort": {"unit": [["name", "descending"]]},
              "fields": {"unit": ["name"], "association": ["created"]}}}
            """);
        var found = (await ContentApiClient.ReadAsync(response, HttpStatusCode.OK)).AsArray();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(found.Select(u => u!["metadata"]!["name"]!.GetValue<string>()), Is.EqualTo(new[] { "v2", "v10", "v1" }), "code point order, descending");
            Assert.That(found.Select(u => u!["metadata"]!.AsObject().Select(f => f.Key).Order()), Has.All.EqualTo(new[] { "_content_type_id", "_id", "name" }));
            Assert.That(found.Select(u => u!.AsObject().Select(f => f.Key).Order()), Has.All.EqualTo(new[] { "created", "metadata", "unit_id", "unit_key", "unit_type_id" }));
        }
    }

    [Test]
    public async Task Search_ByAManifestsLayer_FindsTheManifestsThatHoldIt()
    {
        var repository = NewRepositoryId();
        await Api.CreateDockerRepositoryAsync(repository);
        var (one, other) = (TestManifest.DockerImage(layers: 2), TestManifest.DockerImage(layers: 2));
        await Api.ImportImageAsync(repository, one, "one");
        await Api.ImportImageAsync(repository, other, "other");

        using var response = await Api.PostJsonAsync(
            $"/repositories/{repository}/search/units/", $"{{\"criteria\": {{\"type_ids\": [\"docker_manifest\"], \"filters\": {{\"unit\": {{\"layers.digest\": \"{one.Blobs[^1].Digest}\"}}}}}}}}");
        var found = (await ContentApiClient.ReadAsync(response, HttpStatusCode.OK)).AsArray();
        Assert.That(found.Select(u => u!["metadata"]!["digest"]!.GetValue<string>()), Is.EqualTo(new[] { one.Digest.ToString() }));
    }

    [TestCase("""{"name": {"$where": "1"}}""", "$where is not supported")]
    [TestCase("""{"name": {"$regex": "(?=v)"}}""", "only (?:...) groups are supported")]
    [TestCase("""{"name": {"$regex": "\\bv"}}""", "\\b is not supported")]
    [TestCase("""{"name": {"$regex": "v", "$options": "m"}}""", "$options 'm' is not supported")]
    [TestCase("""{"config": {"digest": "x"}}""", "name the field dotted (config.digest)")]
    [TestCase("""{"size": {"$gt": null}}""", "to find null, use $eq null")]
    public async Task Search_WhatItCannotRun_IsRefused_SayingWhy(string filter, string reason)
    {
        using var response = await Api.PostJsonAsync($"/repositories/{_repository}/search/units/", "{\"criteria\": {\"filters\": {\"unit\": " + filter + "}}}");
        var error = await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.BadRequest, "PLP0015", reason);
        Assert.That(error["error_message"]!.GetValue<string>(), Does.StartWith("criteria.filters.unit."));
    }

    [Test]
    public async Task Search_OfAnUnknownRepository_Is404()
    {
        using var response = await Api.PostJsonAsync("/repositories/nowhere/search/units/", "{\"criteria\":{}}");
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.NotFound, "PLP0009", "nowhere");
    }
}
