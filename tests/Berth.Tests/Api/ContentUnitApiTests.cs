using System.Net;
using Berth.Tests.Access;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Api;

/// <summary>
/// Pulp 2's <c>/content/units/{type}/</c>: a type's units whatever repositories hold them, listed, searched with
/// criteria run by the store, and read one by one at their <c>_href</c>, in Pulp 2's flat shape.
/// </summary>
[TestFixture(StorageBackend.Default)]
[TestFixture(StorageBackend.PostgreSql)]
public sealed class ContentUnitApiTests(StorageBackend backend) : AccessFixture(ServerKind.InProcess, backend)
{
    private string _one = null!;
    private string _two = null!;
    private TestManifest _image = null!;
    private string _tagPrefix = null!;

    [OneTimeSetUp]
    public async Task TwoRepositoriesShareAnImage()
    {
        (_one, _two) = (NewRepositoryId(), NewRepositoryId());
        await Api.CreateDockerRepositoryAsync(_one);
        await Api.CreateDockerRepositoryAsync(_two);
        _image = TestManifest.DockerImage();
        _tagPrefix = "cu" + Guid.NewGuid().ToString("N")[..6];
        await Api.ImportImageAsync(_one, _image, _tagPrefix + "-a");
        await Api.ImportImageAsync(_two, _image, _tagPrefix + "-b");
    }

    [Test]
    public async Task List_ShowsEveryUnitOfTheType_InPulp2sShape()
    {
        var manifests = (await Api.GetJsonAsync("/content/units/docker_manifest/")).AsArray();
        var mine = manifests.Single(m => m!["digest"]!.GetValue<string>() == _image.Digest.ToString())!.AsObject();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(mine["_content_type_id"]!.GetValue<string>(), Is.EqualTo("docker_manifest"));
            Assert.That(mine["_href"]!.GetValue<string>(), Is.EqualTo($"/pulp/api/v2/content/units/docker_manifest/{mine["_id"]}/"));
            Assert.That(mine["layers"]!.AsArray(), Has.Count.EqualTo(_image.Blobs.Count - 1));
            Assert.That(manifests.All(m => m!["_content_type_id"]!.GetValue<string>() == "docker_manifest"), Is.True);
        }

        var one = await Api.GetJsonAsync(mine["_href"]!.GetValue<string>()["/pulp/api/v2".Length..]);
        Assert.That(one["digest"]!.GetValue<string>(), Is.EqualTo(_image.Digest.ToString()), "one unit at its _href");
    }

    [Test]
    public async Task Search_WithCriteria_ChoosesSortsShapes_AndNamesTheRepositories()
    {
        using var response = await Api.PostJsonAsync("/content/units/docker_tag/search/", $$$"""
            {"criteria": {"filters": {"name": {"$regex": "^{{{_tagPrefix}}}-"}}, "sort": [["name", "descending"]], "fields": ["name"]},
             "include_repos": true}
            """);
        var tags = (await ContentApiClient.ReadAsync(response, HttpStatusCode.OK)).AsArray();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(tags.Select(t => t!["name"]!.GetValue<string>()), Is.EqualTo(new[] { _tagPrefix + "-b", _tagPrefix + "-a" }));
            Assert.That(tags.Select(t => t!["repository_memberships"]!.AsArray().Select(r => r!.GetValue<string>())), Is.EqualTo(new[] { new[] { _two }, new[] { _one } }));
            Assert.That(tags.Select(t => t!.AsObject().Select(f => f.Key).Order()), Has.All.EqualTo(new[] { "_content_type_id", "_href", "_id", "name", "repository_memberships" }));
        }

        using var shared = await Api.PostJsonAsync("/content/units/docker_blob/search/", $$$"""
            {"criteria": {"filters": {"digest": "{{{_image.Blobs[^1].Digest}}}"}}, "include_repos": true}
            """);
        var blob = (await ContentApiClient.ReadAsync(shared, HttpStatusCode.OK)).AsArray().Single()!;
        Assert.That(blob["repository_memberships"]!.AsArray().Select(r => r!.GetValue<string>()), Is.EquivalentTo(new[] { _one, _two }));
    }

    [Test]
    public async Task UnknownTypesAndUnits_Are404()
    {
        foreach (var path in new[] { "/content/units/no_such_type/", "/content/units/docker_blob/no-such-id/" })
        {
            using var response = await Api.Http.GetAsync(ContentApiClient.Root + path);
            await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.NotFound, "PLP0009");
        }

        using var search = await Api.PostJsonAsync("/content/units/no_such_type/search/", """{"criteria": {}}""");
        await ContentApiClient.ReadErrorAsync(search, HttpStatusCode.NotFound, "PLP0009");
    }

    [TestCase("""{"criteria": {"type_ids": ["docker_tag"]}}""", "criteria has unknown field type_ids")]
    [TestCase("""{"criteria": {"filters": {"name": {"$where": "1"}}}}""", "$where is not supported")]
    [TestCase("""{"criteria": {"sort": {"unit": []}}}""", "criteria.sort")]
    [TestCase("""{"criteria": {}, "include_repos": "yes"}""", "include_repos must be true or false")]
    public async Task Search_MalformedCriteria_Is400(string body, string reason)
    {
        using var response = await Api.PostJsonAsync("/content/units/docker_tag/search/", body);
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.BadRequest, "PLP0015", reason);
    }

    [Test]
    public async Task NonAdministrators_AreRefused_WhateverTheirGrants()
    {
        var login = await CreateUserAsync(("*", "pull,push,delete"));
        using var list = await ApiAs(login).Http.GetAsync(ContentApiClient.Root + "/content/units/docker_tag/");
        await ContentApiClient.ReadErrorAsync(list, HttpStatusCode.Forbidden, "BRT0403");
        using var search = await ApiAs(login).PostJsonAsync("/content/units/docker_tag/search/", """{"criteria": {}}""");
        await ContentApiClient.ReadErrorAsync(search, HttpStatusCode.Forbidden, "BRT0403");
    }
}
