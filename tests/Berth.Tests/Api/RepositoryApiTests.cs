using System.Net;
using System.Text.Json.Nodes;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Api;

[TestFixture(StorageBackend.Default)]
[TestFixture(StorageBackend.PostgreSql)]
public sealed class RepositoryApiTests(StorageBackend backend) : ApiFixture(ServerKind.InProcess, backend)
{
    [Test]
    public async Task Create_Answers201WithTheRepository()
    {
        var id = NewRepositoryId();
        using var response = await Api.PostJsonAsync("/repositories/", new JsonObject
        {
            ["id"] = id,
            ["display_name"] = "Builds",
            ["description"] = "CI output",
            ["notes"] = new JsonObject { ["team"] = "platform" },
        });
        var repository = await ContentApiClient.ReadAsync(response, HttpStatusCode.Created);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(repository["id"]!.GetValue<string>(), Is.EqualTo(id));
            Assert.That(repository["display_name"]!.GetValue<string>(), Is.EqualTo("Builds"));
            Assert.That(repository["description"]!.GetValue<string>(), Is.EqualTo("CI output"));
            Assert.That(repository["notes"]!["team"]!.GetValue<string>(), Is.EqualTo("platform"));
            Assert.That(repository["_href"]!.GetValue<string>(), Is.EqualTo($"/pulp/api/v2/repositories/{id}/"));
            Assert.That(repository["content_unit_counts"]!.AsObject(), Is.Empty);
        }
    }

    [Test]
    public async Task Create_WithOnlyAnId_DefaultsTheDisplayNameToIt()
    {
        var id = NewRepositoryId();
        await Api.CreateRepositoryAsync(id);
        var repository = await Api.GetJsonAsync($"/repositories/{id}/");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(repository["display_name"]!.GetValue<string>(), Is.EqualTo(id));
            Assert.That(repository["description"], Is.Null);
        }
    }

    [Test]
    public async Task List_HoldsCreatedRepositories()
    {
        var (first, second) = (NewRepositoryId(), NewRepositoryId());
        await Api.CreateRepositoryAsync(first);
        await Api.CreateRepositoryAsync(second);
        var ids = (await Api.GetJsonAsync("/repositories/")).AsArray().Select(r => r!["id"]!.GetValue<string>());
        Assert.That(ids, Is.SupersetOf(new[] { first, second }));
    }

    [Test]
    public async Task List_ByRegistryName_HoldsOnlyTheRepositoryServedUnderIt()
    {
        var (wanted, other) = (NewRepositoryId(), NewRepositoryId());
        var name = "team/" + wanted;
        using (var created = await Api.PostJsonAsync("/repositories/", new JsonObject { ["id"] = wanted, ["registry_name"] = name }))
        {
            await ContentApiClient.ReadAsync(created, HttpStatusCode.Created);
        }

        await Api.CreateRepositoryAsync(other);

        var found = (await Api.GetJsonAsync($"/repositories/?registry_name={Uri.EscapeDataString(name)}&importers=true")).AsArray();
        var none = (await Api.GetJsonAsync($"/repositories/?registry_name=team/{other}")).AsArray();

        Assert.That(found.Select(r => r!["id"]!.GetValue<string>()), Is.EqualTo(new[] { wanted }));
        Assert.That(found[0]!["importers"], Is.Not.Null);
        Assert.That(none, Is.Empty);
    }

    [Test]
    public async Task List_ByARegistryNameThatCannotBeOne_IsRefused()
    {
        using var response = await Api.Http.GetAsync(ContentApiClient.Root + "/repositories/?registry_name=Team/App");
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.BadRequest, "PLP0015", "registry_name", "Team/App");
    }

    [Test]
    public async Task Paths_WorkWithAndWithoutTheTrailingSlash()
    {
        var id = NewRepositoryId();
        await Api.CreateRepositoryAsync(id);
        Assert.That((await Api.GetJsonAsync($"/repositories/{id}"))["id"]!.GetValue<string>(), Is.EqualTo(id));
    }

    [Test]
    public async Task Show_WithDetails_IncludesTheImporters()
    {
        var id = NewRepositoryId();
        await Api.CreateDockerRepositoryAsync(id);
        var plain = await Api.GetJsonAsync($"/repositories/{id}/");
        var detailed = await Api.GetJsonAsync($"/repositories/{id}/?details=true");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(plain["importers"], Is.Null);
            Assert.That(
                detailed["importers"]!.AsArray().Select(i => i!["importer_type_id"]!.GetValue<string>()),
                Is.EqualTo(new[] { "docker_blob_importer", "docker_manifest_importer" }));
        }
    }

    [Test]
    public async Task Create_DuplicateId_Is409()
    {
        var id = NewRepositoryId();
        await Api.CreateRepositoryAsync(id);
        using var response = await Api.PostJsonAsync("/repositories/", new JsonObject { ["id"] = id });
        var error = await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.Conflict, "PLP0018", id);
        Assert.That(error["error"]!["data"]!["resource_id"]!.GetValue<string>(), Is.EqualTo(id));
    }

    [TestCase("has space")]
    [TestCase("slash/in/it")]
    [TestCase("colon:in")]
    [TestCase("émoji")]
    [TestCase("..")]
    [TestCase(".")]
    [TestCase("")]
    public async Task Create_InvalidId_Is400(string id)
    {
        using var response = await Api.PostJsonAsync("/repositories/", new JsonObject { ["id"] = id });
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.BadRequest, "PLP0015");
        Assert.That((await Api.GetJsonAsync("/repositories/")).AsArray().Select(r => r!["id"]!.GetValue<string>()), Does.Not.Contain(id));
    }

    [Test]
    public async Task Create_IdOfLettersDigitsAndPunctuation_IsAccepted()
    {
        var id = "Team_App-1.2." + Guid.NewGuid().ToString("N")[..6];
        await Api.CreateRepositoryAsync(id);
        Assert.That((await Api.GetJsonAsync($"/repositories/{id}/"))["id"]!.GetValue<string>(), Is.EqualTo(id));
    }

    [Test]
    public async Task Create_TooLongId_Is400()
    {
        using var response = await Api.PostJsonAsync("/repositories/", new JsonObject { ["id"] = new string('a', 256) });
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.BadRequest, "PLP0015", "255");
    }

    [TestCase("{", "not valid JSON")]
    [TestCase("", "needs a JSON object")]
    [TestCase("[1]", "must be a JSON object")]
    [TestCase("{\"display_name\":\"x\"}", "request.id is required")]
    [TestCase("{\"id\":5}", "request.id must be a non-empty string")]
    [TestCase("{\"id\":\"ok\",\"colour\":\"red\"}", "unknown field colour")]
    [TestCase("{\"id\":\"ok\",\"notes\":{\"n\":1}}", "notes must map names to strings")]
    [TestCase("{\"id\":\"ok\",\"notes\":[]}", "request.notes must be an object")]
    [TestCase("{\"id\":\"ok\",\"id\":\"other\"}", "not valid JSON")]
    public async Task Create_MalformedBody_Is400SayingWhy(string body, string reason)
    {
        using var response = await Api.PostJsonAsync("/repositories/", body);
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.BadRequest, mentions: reason);
    }

    [Test]
    public async Task Create_BodyOverTheJsonLimit_Is413()
    {
        var body = new JsonObject { ["id"] = NewRepositoryId(), ["description"] = new string('x', 1024 * 1024 + 10) };
        using var response = await Api.PostJsonAsync("/repositories/", body);
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, "BRT0413");
    }

    [Test]
    public async Task Show_Unknown_Is404NamingIt()
    {
        using var response = await Api.Http.GetAsync(ContentApiClient.Root + "/repositories/no-such-repo/");
        var error = await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.NotFound, "PLP0009", "no-such-repo");
        Assert.That(error["error"]!["data"]!["resources"]!["repository"]!.GetValue<string>(), Is.EqualTo("no-such-repo"));
    }

    [Test]
    public async Task Delete_RemovesTheRepositoryAndItsAssociations_ButKeepsTheContent()
    {
        var (doomed, other) = (NewRepositoryId(), NewRepositoryId());
        await Api.CreateDockerRepositoryAsync(doomed);
        await Api.CreateDockerRepositoryAsync(other);
        var image = TestManifest.DockerImage();
        await Api.ImportImageAsync(doomed, image, tag: "v1");
        await Api.ImportBlobAsync(other, image.Blobs[0]);

        using (var response = await Api.Http.DeleteAsync($"{ContentApiClient.Root}/repositories/{doomed}/"))
        {
            var report = await ContentApiClient.ReadAsync(response, HttpStatusCode.Accepted);
            Assert.That(report["spawned_tasks"]!.AsArray(), Has.Count.EqualTo(1), "Pulp 2 deletes a repository in a task: one, already finished");
        }

        using (var gone = await Api.Http.GetAsync($"{ContentApiClient.Root}/repositories/{doomed}/"))
        {
            await ContentApiClient.ReadErrorAsync(gone, HttpStatusCode.NotFound);
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await IsStoredAsync(image.Digest.ToString()), Is.True, "the manifest's bytes stay for orphan cleanup");
            Assert.That(await IsStoredAsync(image.Blobs[1].Digest.ToString()), Is.True);
            Assert.That((await Api.SearchUnitsAsync(other)).Count, Is.EqualTo(1), "another repository keeps its own associations");
        }

        // A new repository of the same name starts empty: no association survived the delete.
        await Api.CreateDockerRepositoryAsync(doomed);
        Assert.That(await Api.SearchUnitsAsync(doomed), Is.Empty);
        Assert.That((await Api.GetJsonAsync($"/repositories/{doomed}/?details=true"))["importers"]!.AsArray(), Has.Count.EqualTo(2));
    }

    [Test]
    public async Task Delete_Unknown_Is404()
    {
        using var response = await Api.Http.DeleteAsync(ContentApiClient.Root + "/repositories/never-was/");
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.NotFound, "PLP0009", "never-was");
    }

    [Test]
    public async Task Show_CountsUnitsByType()
    {
        var id = NewRepositoryId();
        await Api.CreateDockerRepositoryAsync(id);
        await Api.ImportImageAsync(id, TestManifest.DockerImage(layers: 2), tag: "latest");
        var counts = (await Api.GetJsonAsync($"/repositories/{id}/"))["content_unit_counts"]!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(counts["docker_blob"]!.GetValue<long>(), Is.EqualTo(3));
            Assert.That(counts["docker_manifest"]!.GetValue<long>(), Is.EqualTo(1));
            Assert.That(counts["docker_tag"]!.GetValue<long>(), Is.EqualTo(1));
        }
    }

    [Test]
    public async Task RegistryName_DefaultsToTheId_WhenTheIdIsAValidName()
    {
        var id = NewRepositoryId();
        await Api.CreateRepositoryAsync(id);
        Assert.That((await Api.GetJsonAsync($"/repositories/{id}/"))["registry_name"]!.GetValue<string>(), Is.EqualTo(id));
    }

    [Test]
    public async Task RegistryName_IsNone_WhenTheIdCannotBeOne()
    {
        var id = "Upper_" + Guid.NewGuid().ToString("N")[..6];
        await Api.CreateRepositoryAsync(id);
        Assert.That((await Api.GetJsonAsync($"/repositories/{id}/"))["registry_name"], Is.Null);
    }

    [Test]
    public async Task RegistryName_CanBeGivenAtCreation_AndIsUnique()
    {
        var name = $"team/{NewRepositoryId()}";
        using (var created = await Api.PostJsonAsync("/repositories/", new JsonObject { ["id"] = NewRepositoryId(), ["registry_name"] = name }))
        {
            Assert.That((await ContentApiClient.ReadAsync(created, HttpStatusCode.Created))["registry_name"]!.GetValue<string>(), Is.EqualTo(name));
        }

        using var clash = await Api.PostJsonAsync("/repositories/", new JsonObject { ["id"] = NewRepositoryId(), ["registry_name"] = name });
        await ContentApiClient.ReadErrorAsync(clash, HttpStatusCode.Conflict, "PLP0018", name);
    }

    [TestCase("Team/App")]
    [TestCase("team//app")]
    [TestCase("-team")]
    [TestCase("team/app/")]
    [TestCase("a:b")]
    public async Task RegistryName_ThatBreaksTheGrammar_Is400(string name)
    {
        using var response = await Api.PostJsonAsync("/repositories/", new JsonObject { ["id"] = NewRepositoryId(), ["registry_name"] = name });
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.BadRequest, "PLP0015", "registry_name");
    }

    [Test]
    public async Task Update_WithADelta_ChangesOnlyTheNamedFields()
    {
        var id = NewRepositoryId();
        using (var created = await Api.PostJsonAsync("/repositories/", new JsonObject { ["id"] = id, ["description"] = "old", ["notes"] = new JsonObject { ["a"] = "1" } }))
        {
            await ContentApiClient.ReadAsync(created, HttpStatusCode.Created);
        }

        using var response = await Api.Http.PutAsync(
            $"{ContentApiClient.Root}/repositories/{id}/",
            new StringContent("""{"delta": {"display_name": "New name", "registry_name": "renamed/repo", "description": null}}"""));
        var report = await ContentApiClient.ReadAsync(response, HttpStatusCode.OK);
        var updated = report["result"]!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(report["error"], Is.Null, "Pulp 2's call report");
            Assert.That(report["spawned_tasks"]!.AsArray(), Is.Empty);
            Assert.That(updated["display_name"]!.GetValue<string>(), Is.EqualTo("New name"));
            Assert.That(updated["registry_name"]!.GetValue<string>(), Is.EqualTo("renamed/repo"));
            Assert.That(updated["description"], Is.Null);
            Assert.That(updated["notes"]!["a"]!.GetValue<string>(), Is.EqualTo("1"));
            Assert.That((await Api.GetJsonAsync($"/repositories/{id}/"))["registry_name"]!.GetValue<string>(), Is.EqualTo("renamed/repo"));
        }
    }

    [TestCase("{}", "request.delta is required")]
    [TestCase("{\"delta\":{},\"distributor_configs\":{\"web\":{}}}", "no distributors")]
    [TestCase("{\"importer_config\":[]}", "importer_config")]
    [TestCase("{\"delta\":{\"id\":\"x\"}}", "unknown field id")]
    [TestCase("{\"delta\":{\"registry_name\":\"UPPER\"}}", "registry_name")]
    public async Task Update_Malformed_Is400(string body, string reason)
    {
        var id = NewRepositoryId();
        await Api.CreateRepositoryAsync(id);
        using var response = await Api.Http.PutAsync($"{ContentApiClient.Root}/repositories/{id}/", new StringContent(body));
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.BadRequest, "PLP0015", reason);
    }

    [Test]
    public async Task Update_Unknown_Is404()
    {
        using var response = await Api.Http.PutAsync($"{ContentApiClient.Root}/repositories/nobody/", new StringContent("""{"delta": {}}"""));
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.NotFound, "PLP0009");
    }
}
