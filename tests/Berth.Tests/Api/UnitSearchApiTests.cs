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
    [TestCase("{\"criteria\":{\"limit\":-1}}", "limit must be a non-negative integer")]
    [TestCase("{\"criteria\":{\"sort\":[]}}", "unknown field sort")]
    [TestCase("{\"filters\":{}}", "unknown field filters")]
    [TestCase("{\"criteria\":7}", "criteria must be an object")]
    public async Task Search_MalformedCriteria_Is400(string body, string reason)
    {
        using var response = await Api.PostJsonAsync($"/repositories/{_repository}/search/units/", body);
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.BadRequest, "PLP0015", reason);
    }

    [Test]
    public async Task Search_OfAnUnknownRepository_Is404()
    {
        using var response = await Api.PostJsonAsync("/repositories/nowhere/search/units/", "{\"criteria\":{}}");
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.NotFound, "PLP0009", "nowhere");
    }
}
