using System.Net;
using System.Text.Json.Nodes;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Api;

/// <summary>
/// Repository creation and reading as Pulp 2's REST API documents them (issue 17, rows 1, 7 and 8): the importer made
/// in the same call, the Location of the new repository, and the importers and distributors a client asks for.
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
    public async Task Create_WithDockerImporter_RegistersBothDockerImporters_AndTakesAPush()
    {
        var id = NewRepositoryId();
        using (var response = await Api.PostJsonAsync("/repositories/", new JsonObject { ["id"] = id, ["importer_type_id"] = "docker_importer", ["importer_config"] = new JsonObject() }))
        {
            await ContentApiClient.ReadAsync(response, HttpStatusCode.Created);
        }

        var importers = (await Api.GetJsonAsync($"/repositories/{id}/importers/")).AsArray().Select(i => i!["importer_type_id"]!.GetValue<string>());
        Assert.That(importers, Is.EquivalentTo(new[] { "docker_blob_importer", "docker_manifest_importer" }));

        // What the two importers are for: a blob and a manifest naming it import through the content API.
        var blob = TestBlob.Random(64);
        using var import = await Api.ImportAsync(id, await Api.UploadAsync(blob.Bytes), "docker_blob", new JsonObject { ["digest"] = blob.Digest.ToString() });
        await ContentApiClient.ReadAsync(import, HttpStatusCode.OK);
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

    private async Task AssertAbsentAsync(string id)
    {
        using var response = await Api.Http.GetAsync($"{ContentApiClient.Root}/repositories/{id}/");
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.NotFound, "PLP0009");
    }
}
