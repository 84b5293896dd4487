using System.Net;
using System.Text.Json.Nodes;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Api;

/// <summary>
/// Repositories as Pulp 2's REST API documents them (issue 17, rows 1, 5, 7 and 8): the importer made in the same call,
/// the Location of the new repository, the importers and distributors a client asks for, and updates of the repository
/// and its importer's config answered with a call report.
/// </summary>
[TestFixture(StorageBackend.Default)]
[TestFixture(StorageBackend.PostgreSql)]
public sealed class Pulp2RepositoryApiTests(StorageBackend backend) : ApiFixture(ServerKind.InProcess, backend)
{
    [Test]
    public async Task Create_Answers201WithTheRepositoryHrefAsLocation()
    {
        var id = NewRepositoryId();
        using var response = await Api.PostJsonAsync("/repositories/", new JsonObject { ["id"] = id });
        var repository = await ContentApiClient.ReadAsync(response, HttpStatusCode.Created);
        Assert.That(response.Headers.Location?.OriginalString, Is.EqualTo($"/pulp/api/v2/repositories/{id}/"));
        Assert.That(response.Headers.Location?.OriginalString, Is.EqualTo(repository["_href"]!.GetValue<string>()));
    }

    [Test]
    public async Task Create_WithAnImporterTypeAndConfig_RegistersThatImporterInTheSameCall()
    {
        var id = NewRepositoryId();
        using var response = await Api.PostJsonAsync("/repositories/", new JsonObject
        {
            ["id"] = id,
            ["importer_type_id"] = "docker_manifest_importer",
            ["importer_config"] = new JsonObject { ["max_manifest_bytes"] = 65536 },
        });
        await ContentApiClient.ReadAsync(response, HttpStatusCode.Created);

        var importers = (await Api.GetJsonAsync($"/repositories/{id}/importers/")).AsArray();
        Assert.That(importers.Select(i => i!["importer_type_id"]!.GetValue<string>()), Is.EqualTo(new[] { "docker_manifest_importer" }));
        Assert.That(importers[0]!["config"]!["max_manifest_bytes"]!.GetValue<long>(), Is.EqualTo(65536));
    }

    [Test]
    public async Task Create_WithDockerImporter_RegistersTheDockerImporters_AndTakesAPush()
    {
        var id = NewRepositoryId();
        using (var response = await Api.PostJsonAsync("/repositories/", new JsonObject { ["id"] = id, ["importer_type_id"] = "docker_importer", ["importer_config"] = new JsonObject() }))
        {
            await ContentApiClient.ReadAsync(response, HttpStatusCode.Created);
        }

        var importers = (await Api.GetJsonAsync($"/repositories/{id}/importers/")).AsArray().Select(i => i!["importer_type_id"]!.GetValue<string>());
        Assert.That(importers, Is.EquivalentTo(new[] { "docker_blob_importer", "docker_manifest_importer", "docker_sync_importer" }), "Pulp 2's docker importer uploads and syncs");

        // What the two importers are for: a blob and a manifest naming it import through the content API.
        var blob = TestBlob.Random(64);
        using var import = await Api.ImportAsync(id, await Api.UploadAsync(blob.Bytes), "docker_blob", new JsonObject { ["digest"] = blob.Digest.ToString() });
        await ContentApiClient.ReadAsync(import, HttpStatusCode.Accepted);
        var counts = (await Api.GetJsonAsync($"/repositories/{id}/"))["content_unit_counts"]!;
        Assert.That(counts["docker_blob"]!.GetValue<long>(), Is.EqualTo(1));
    }

    [Test]
    public async Task Create_WithAnUnknownImporter_Is400NamingTheLoadedOnes_AndCreatesNothing()
    {
        var id = NewRepositoryId();
        using var response = await Api.PostJsonAsync("/repositories/", new JsonObject { ["id"] = id, ["importer_type_id"] = "yum_importer" });
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.BadRequest, "BRT0203", "yum_importer", "docker_blob_importer");
        await AssertAbsentAsync(id);
    }

    [Test]
    public async Task Create_WithAConfigTheImporterRefuses_Is400_AndCreatesNothing()
    {
        var id = NewRepositoryId();
        using var response = await Api.PostJsonAsync("/repositories/", new JsonObject
        {
            ["id"] = id,
            ["importer_type_id"] = "docker_importer",
            ["importer_config"] = new JsonObject { ["colour"] = "red" },
        });
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.BadRequest, "BRT0101", "colour");
        await AssertAbsentAsync(id);
    }

    [TestCase("""{"id":"ID","importer_config":{}}""", "importer_config needs importer_type_id")]
    [TestCase("""{"id":"ID","importer_type_id":7}""", "importer_type_id must be a non-empty string")]
    [TestCase("""{"id":"ID","importer_type_id":"docker_importer","importer_config":[]}""", "importer_config must be an object")]
    public async Task Create_WithMalformedImporterFields_Is400_AndCreatesNothing(string body, string reason)
    {
        var id = NewRepositoryId();
        using var response = await Api.PostJsonAsync("/repositories/", body.Replace("ID", id, StringComparison.Ordinal));
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.BadRequest, "PLP0015", reason);
        await AssertAbsentAsync(id);
    }

    [Test]
    public async Task Get_ShowsImportersAndDistributors_AsAskedFor()
    {
        var id = NewRepositoryId();
        await Api.CreateRepositoryAsync(id, "docker_blob_importer");

        var plain = await Api.GetJsonAsync($"/repositories/{id}/");
        var details = await Api.GetJsonAsync($"/repositories/{id}/?details=true");
        var importers = await Api.GetJsonAsync($"/repositories/{id}/?importers=true");
        var distributors = await Api.GetJsonAsync($"/repositories/{id}/?distributors=true");
        var listed = (await Api.GetJsonAsync("/repositories/?details=true")).AsArray().Single(r => r!["id"]!.GetValue<string>() == id)!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(plain.AsObject().ContainsKey("importers"), Is.False);
            Assert.That(plain.AsObject().ContainsKey("distributors"), Is.False);
            Assert.That(details["importers"]!.AsArray().Select(i => i!["importer_type_id"]!.GetValue<string>()), Is.EqualTo(new[] { "docker_blob_importer" }));
            Assert.That(details["distributors"]!.AsArray(), Is.Empty);
            Assert.That(importers["importers"]!.AsArray(), Has.Count.EqualTo(1));
            Assert.That(importers.AsObject().ContainsKey("distributors"), Is.False);
            Assert.That(distributors["distributors"]!.AsArray(), Is.Empty);
            Assert.That(distributors.AsObject().ContainsKey("importers"), Is.False);
            Assert.That(listed["importers"]!.AsArray(), Has.Count.EqualTo(1));
            Assert.That(listed["distributors"]!.AsArray(), Is.Empty);
        }
    }

    [Test]
    public async Task Update_WithAnImporterConfig_ChangesTheImportersThatTakeIt_AndAnswersACallReport()
    {
        var id = await DockerImporterRepositoryAsync();
        using (var response = await Api.Http.PutAsync(
            $"{ContentApiClient.Root}/repositories/{id}/",
            new StringContent("""{"delta": {"display_name": "Shop"}, "importer_config": {"max_manifest_bytes": 1000}, "distributor_configs": {}}""")))
        {
            var report = await ContentApiClient.ReadAsync(response, HttpStatusCode.OK);
            using (Assert.EnterMultipleScope())
            {
                Assert.That(report["result"]!["display_name"]!.GetValue<string>(), Is.EqualTo("Shop"));
                Assert.That(report["error"], Is.Null);
                Assert.That(report["spawned_tasks"]!.AsArray(), Is.Empty);
            }
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That((await ConfigAsync(id, "docker_manifest_importer"))["max_manifest_bytes"]!.GetValue<long>(), Is.EqualTo(1000));
            Assert.That(await ConfigAsync(id, "docker_blob_importer"), Is.Empty, "a key the blob importer does not know is not its");
        }

        // The config is what imports go by.
        using (var refused = await Api.ImportAsync(id, await Api.UploadAsync(new byte[2000]), "docker_manifest", []))
        {
            await ContentApiClient.ReadErrorAsync(refused, HttpStatusCode.RequestEntityTooLarge, "BRT0107", "(importer_config.max_manifest_bytes)");
        }

        // Only the importer config, and null removes a key, as in Pulp 2.
        using (var response = await Api.Http.PutAsync($"{ContentApiClient.Root}/repositories/{id}/", new StringContent("""{"importer_config": {"max_manifest_bytes": null}}""")))
        {
            Assert.That((await ContentApiClient.ReadAsync(response, HttpStatusCode.OK))["result"]!["display_name"]!.GetValue<string>(), Is.EqualTo("Shop"));
        }

        Assert.That(await ConfigAsync(id, "docker_manifest_importer"), Is.Empty);
    }

    [Test]
    public async Task Update_WithAnImporterConfigNoImporterTakes_Is400NamingEach_AndChangesNothing()
    {
        var id = await DockerImporterRepositoryAsync();
        using var response = await Api.Http.PutAsync(
            $"{ContentApiClient.Root}/repositories/{id}/", new StringContent("""{"delta": {"display_name": "Shop"}, "importer_config": {"max_manifest_bytes": -5}}"""));
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.BadRequest, "BRT0101", "docker_blob_importer", "docker_manifest_importer", "max_manifest_bytes");
        using (Assert.EnterMultipleScope())
        {
            Assert.That((await Api.GetJsonAsync($"/repositories/{id}/"))["display_name"]!.GetValue<string>(), Is.EqualTo(id));
            Assert.That(await ConfigAsync(id, "docker_manifest_importer"), Is.Empty);
        }
    }

    [Test]
    public async Task Search_WithPulp2Criteria_FindsRepositories_ByTheirFields_WithImportersWhenAsked()
    {
        var team = "t" + Guid.NewGuid().ToString("N")[..8];
        var (one, two, other) = (NewRepositoryId(), NewRepositoryId(), NewRepositoryId());
        foreach (var (id, stage) in new[] { (one, "prod"), (two, "test"), (other, "prod") })
        {
            var notes = new JsonObject { ["team"] = id == other ? "someone-else" : team, ["stage"] = stage };
            using var created = await Api.PostJsonAsync("/repositories/", new JsonObject { ["id"] = id, ["display_name"] = $"{team} {stage}", ["notes"] = notes, ["importer_type_id"] = "docker_importer" });
            await ContentApiClient.ReadAsync(created, HttpStatusCode.Created);
        }

        using var response = await Api.PostJsonAsync("/repositories/search/", """
            {"criteria": {"filters": {"notes.team": "TEAM", "display_name": {"$regex": "^TEAM "}}, "sort": [["notes.stage", "ascending"]], "fields": ["notes"]},
             "importers": true}
            """.Replace("TEAM", team, StringComparison.Ordinal));
        var found = (await ContentApiClient.ReadAsync(response, HttpStatusCode.OK)).AsArray();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(found.Select(r => r!["id"]!.GetValue<string>()), Is.EqualTo(new[] { one, two }), "prod before test");
            Assert.That(found.Select(r => r!.AsObject().Select(f => f.Key).Order()), Has.All.EqualTo(new[] { "_href", "id", "notes" }), "the fields asked, and id and _href");
        }

        using var withImporters = await Api.PostJsonAsync("/repositories/search/", """{"criteria": {"filters": {"id": "ONE"}}, "importers": true}""".Replace("ONE", one, StringComparison.Ordinal));
        var repository = (await ContentApiClient.ReadAsync(withImporters, HttpStatusCode.OK)).AsArray().Single()!;
        Assert.That(repository["importers"]!.AsArray(), Has.Count.EqualTo(3));
        Assert.That((await Api.GetJsonAsync("/repositories/search/")).AsArray().Select(r => r!["id"]!.GetValue<string>()), Is.SupersetOf(new[] { one, two, other }));
    }

    [TestCase("""{"criteria": {"filters": {"id": {"$where": "1"}}}}""", "$where is not supported")]
    [TestCase("""{"criteria": {}, "details": "yes"}""", "details must be true or false")]
    [TestCase("""{"criteria": {"type_ids": []}}""", "criteria has unknown field type_ids")]
    public async Task Search_MalformedCriteria_Is400(string body, string reason)
    {
        using var response = await Api.PostJsonAsync("/repositories/search/", body);
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.BadRequest, "PLP0015", reason);
    }

    [Test]
    public async Task UpdateOfOneImporter_ChangesItsConfig_AndRefusesWhatItDoesNotTake()
    {
        var id = await DockerImporterRepositoryAsync();
        var path = $"{ContentApiClient.Root}/repositories/{id}/importers/docker_manifest_importer/";
        using (var response = await Api.Http.PutAsync(path, new StringContent("""{"importer_config": {"max_manifest_bytes": 2048}}""")))
        {
            var report = await ContentApiClient.ReadAsync(response, HttpStatusCode.OK);
            Assert.That(report["result"]!["config"]!["max_manifest_bytes"]!.GetValue<long>(), Is.EqualTo(2048));
        }

        using (var refused = await Api.Http.PutAsync(
            $"{ContentApiClient.Root}/repositories/{id}/importers/docker_blob_importer/", new StringContent("""{"importer_config": {"max_manifest_bytes": 2048}}""")))
        {
            await ContentApiClient.ReadErrorAsync(refused, HttpStatusCode.BadRequest, "BRT0101", "max_manifest_bytes");
        }

        using (var missing = await Api.Http.PutAsync(
            $"{ContentApiClient.Root}/repositories/{id}/importers/yum_importer/", new StringContent("""{"importer_config": {}}""")))
        {
            await ContentApiClient.ReadErrorAsync(missing, HttpStatusCode.NotFound, "PLP0009");
        }

        using (var malformed = await Api.Http.PutAsync(path, new StringContent("""{"config": {}}""")))
        {
            await ContentApiClient.ReadErrorAsync(malformed, HttpStatusCode.BadRequest, "PLP0015", "config");
        }

        Assert.That((await ConfigAsync(id, "docker_manifest_importer"))["max_manifest_bytes"]!.GetValue<long>(), Is.EqualTo(2048));
    }

    private async Task<string> DockerImporterRepositoryAsync()
    {
        var id = NewRepositoryId();
        using var response = await Api.PostJsonAsync("/repositories/", new JsonObject { ["id"] = id, ["importer_type_id"] = "docker_importer" });
        await ContentApiClient.ReadAsync(response, HttpStatusCode.Created);
        return id;
    }

    private async Task<JsonObject> ConfigAsync(string id, string importer) =>
        (await Api.GetJsonAsync($"/repositories/{id}/importers/{importer}/"))["config"]!.AsObject();

    private async Task AssertAbsentAsync(string id)
    {
        using var response = await Api.Http.GetAsync($"{ContentApiClient.Root}/repositories/{id}/");
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.NotFound, "PLP0009");
    }
}
