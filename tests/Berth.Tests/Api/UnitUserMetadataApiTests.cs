using System.Net;
using System.Text.Json.Nodes;
using Berth.Tests.Access;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Api;

/// <summary>
/// Pulp 2's <c>/content/units/{type}/{id}/pulp_user_metadata/</c>: what an administrator sets on a unit is read back
/// as set, outlives the unit's import again, and is apart from what the importer recorded.
/// </summary>
[TestFixture(StorageBackend.Default)]
[TestFixture(StorageBackend.PostgreSql)]
public sealed class UnitUserMetadataApiTests(StorageBackend backend) : AccessFixture(ServerKind.InProcess, backend)
{
    private static string Path(string type, string id) => $"{ContentApiClient.Root}/content/units/{type}/{id}/pulp_user_metadata/";

    [Test]
    public async Task WhatIsSet_IsReadBack_AndOutlivesAnImportAgain()
    {
        var repository = await DockerRepositoryAsync();
        var image = TestManifest.DockerImage(layers: 1);
        await Api.ImportImageAsync(repository, image, "1.0");
        var units = await Api.SearchUnitsAsync(repository);
        string IdOf(string type) => units.First(u => u!["unit_type_id"]!.GetValue<string>() == type)!["unit_id"]!.GetValue<string>();
        var (blob, manifest) = (IdOf("docker_blob"), IdOf("docker_manifest"));
        var set = JsonNode.Parse("""{"team": "builds", "reviewed": true, "tickets": [1, 2]}""")!;

        using (var put = await Api.Http.PutAsync(Path("docker_blob", blob), Json(set.ToJsonString())))
        {
            Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.OK), await put.Content.ReadAsStringAsync());
            Assert.That(await put.Content.ReadAsStringAsync(), Is.EqualTo("null"), "as Pulp 2 answers");
        }

        // The same image imported again: the importer records its metadata again; what users set stays.
        await Api.ImportImageAsync(repository, image, "1.1");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(JsonNode.DeepEquals(await Api.GetJsonAsync($"/content/units/docker_blob/{blob}/pulp_user_metadata/"), set), Is.True);
            Assert.That((await Api.GetJsonAsync($"/content/units/docker_manifest/{manifest}/pulp_user_metadata/")).ToJsonString(), Is.EqualTo("{}"), "nothing set: an empty object");
        }

        // Searches show it in the unit's metadata, where Pulp 2 does, once it is set.
        var found = await Api.SearchUnitsAsync(repository);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(JsonNode.DeepEquals(found.First(u => u!["unit_id"]!.GetValue<string>() == blob)!["metadata"]!["pulp_user_metadata"], set), Is.True);
            Assert.That(found.First(u => u!["unit_id"]!.GetValue<string>() == manifest)!["metadata"]!.AsObject().ContainsKey("pulp_user_metadata"), Is.False);
        }

        using (var replaced = await Api.Http.PutAsync(Path("docker_blob", blob), Json("""{"team": "release"}""")))
        {
            Assert.That(replaced.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        Assert.That((await Api.GetJsonAsync($"/content/units/docker_blob/{blob}/pulp_user_metadata/")).ToJsonString(), Is.EqualTo("""{"team":"release"}"""), "replaced, not merged");
    }

    [Test]
    public async Task UnknownUnits_Are404_BadBodies400_AndOnlyAdministratorsMayReadOrSet()
    {
        var repository = await DockerRepositoryAsync();
        await Api.ImportImageAsync(repository, TestManifest.DockerImage(layers: 1), "1.0");
        var blob = (await Api.SearchUnitsAsync(repository, "docker_blob"))[0]!["unit_id"]!.GetValue<string>();

        foreach (var path in new[] { Path("docker_blob", "no-such-unit"), Path("no_such_type", blob), Path("docker_manifest", blob) })
        {
            using var read = await Api.Http.GetAsync(path);
            await ContentApiClient.ReadErrorAsync(read, HttpStatusCode.NotFound, "PLP0009");
            using var write = await Api.Http.PutAsync(path, Json("{}"));
            await ContentApiClient.ReadErrorAsync(write, HttpStatusCode.NotFound, "PLP0009");
        }

        foreach (var body in new[] { "[]", "\"text\"", "{", string.Empty })
        {
            using var refused = await Api.Http.PutAsync(Path("docker_blob", blob), Json(body));
            await ContentApiClient.ReadErrorAsync(refused, HttpStatusCode.BadRequest, "PLP0015");
        }

        var pusher = ApiAs(await CreateUserAsync(("*", "pull,push,delete")));
        using (var read = await pusher.Http.GetAsync(Path("docker_blob", blob)))
        using (var write = await pusher.Http.PutAsync(Path("docker_blob", blob), Json("""{"team": "mine"}""")))
        {
            Assert.That((read.StatusCode, write.StatusCode), Is.EqualTo((HttpStatusCode.Forbidden, HttpStatusCode.Forbidden)));
        }

        Assert.That((await Api.GetJsonAsync($"/content/units/docker_blob/{blob}/pulp_user_metadata/")).ToJsonString(), Is.EqualTo("{}"), "no refusal wrote anything");
    }

    private static StringContent Json(string body) => new(body, System.Text.Encoding.UTF8, "application/json");
}
