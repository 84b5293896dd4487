using System.Net;
using System.Text.Json.Nodes;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Api;

/// <summary>Importer registration, with a second importer of docker_blob loaded (the tests' marking importer).</summary>
public sealed class ImporterApiTests : ApiFixture
{
    protected override string? PluginsConfDir(TempFolder folder) => TestPluginConf.WithTestImporter(folder, "marking_blob_importer");

    private async Task<HttpResponseMessage> RegisterAsync(string repository, string importerTypeId, JsonObject? config = null) =>
        await Api.PostJsonAsync($"/repositories/{repository}/importers/", new JsonObject { ["importer_type_id"] = importerTypeId, ["importer_config"] = config });

    [Test]
    public async Task Register_Answers201_AndTheImporterIsListedAndShown()
    {
        var repository = NewRepositoryId();
        await Api.CreateRepositoryAsync(repository);
        using (var response = await RegisterAsync(repository, "docker_manifest_importer", new JsonObject { ["max_manifest_bytes"] = 1000 }))
        {
            var importer = await ContentApiClient.ReadAsync(response, HttpStatusCode.Created);
            using (Assert.EnterMultipleScope())
            {
                Assert.That(importer["importer_type_id"]!.GetValue<string>(), Is.EqualTo("docker_manifest_importer"));
                Assert.That(importer["repo_id"]!.GetValue<string>(), Is.EqualTo(repository));
                Assert.That(importer["config"]!["max_manifest_bytes"]!.GetValue<long>(), Is.EqualTo(1000));
                Assert.That(importer["_href"]!.GetValue<string>(), Is.EqualTo($"/pulp/api/v2/repositories/{repository}/importers/docker_manifest_importer/"));
            }
        }

        var listed = (await Api.GetJsonAsync($"/repositories/{repository}/importers/")).AsArray();
        var shown = await Api.GetJsonAsync($"/repositories/{repository}/importers/docker_manifest_importer/");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(listed.Select(i => i!["id"]!.GetValue<string>()), Is.EqualTo(new[] { "docker_manifest_importer" }));
            Assert.That(shown["config"]!["max_manifest_bytes"]!.GetValue<long>(), Is.EqualTo(1000));
        }
    }

    [Test]
    public async Task ARepository_HoldsSeveralImporters()
    {
        var repository = NewRepositoryId();
        await Api.CreateDockerRepositoryAsync(repository);
        Assert.That((await Api.GetJsonAsync($"/repositories/{repository}/importers/")).AsArray(), Has.Count.EqualTo(2));
    }

    [Test]
    public async Task Register_SameImporterTwice_Is409()
    {
        var repository = NewRepositoryId();
        await Api.CreateRepositoryAsync(repository, "docker_blob_importer");
        using var response = await RegisterAsync(repository, "docker_blob_importer");
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.Conflict, "PLP0018", "docker_blob_importer");
    }

    [Test]
    public async Task Register_SecondImporterOfTheSameUnitType_Is409NamingTheClash()
    {
        var repository = NewRepositoryId();
        await Api.CreateRepositoryAsync(repository, "docker_blob_importer");
        using var response = await RegisterAsync(repository, "marking_blob_importer");
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.Conflict, "BRT0204", "docker_blob_importer already imports docker_blob");
        Assert.That((await Api.GetJsonAsync($"/repositories/{repository}/importers/")).AsArray(), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Import_IsRoutedToTheImporterRegisteredOnTheRepository()
    {
        var (plain, marking) = (NewRepositoryId(), NewRepositoryId());
        await Api.CreateRepositoryAsync(plain, "docker_blob_importer");
        await Api.CreateRepositoryAsync(marking);
        using (var registered = await RegisterAsync(marking, "marking_blob_importer", new JsonObject { ["mark"] = "routed" }))
        {
            await ContentApiClient.ReadAsync(registered, HttpStatusCode.Created);
        }

        var (first, second) = (TestBlob.Random(100), TestBlob.Random(100));
        var viaPlain = await Api.ImportBlobAsync(plain, first);
        var viaMarking = await Api.ImportBlobAsync(marking, second);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(viaPlain["metadata"]!["imported_by"], Is.Null);
            Assert.That(viaMarking["metadata"]!["imported_by"]!.GetValue<string>(), Is.EqualTo("routed"), "the repository's importer config reaches the importer");
        }
    }

    [Test]
    public async Task Import_OverrideConfig_ReachesTheImporterForThatCallOnly()
    {
        var repository = NewRepositoryId();
        await Api.CreateRepositoryAsync(repository, "marking_blob_importer");
        var blob = TestBlob.Random(10);
        var uploadId = await Api.UploadAsync(blob.Bytes);
        using var response = await Api.ImportAsync(
            repository, uploadId, "docker_blob", new JsonObject { ["digest"] = blob.Digest.ToString() }, overrideConfig: new JsonObject { ["mark"] = "overridden" });
        var unit = (await ContentApiClient.ReadAsync(response, HttpStatusCode.Accepted))["result"]!;
        Assert.That(unit["metadata"]!["imported_by"]!.GetValue<string>(), Is.EqualTo("overridden"));
        Assert.That((await Api.ImportBlobAsync(repository, TestBlob.Random(11)))["metadata"]!["imported_by"]!.GetValue<string>(), Is.EqualTo("marking_blob_importer"));
    }

    [Test]
    public async Task Import_RefusedAfterTheBitsWereStored_EndsTheUploadAndLeavesNoUnit()
    {
        var repository = NewRepositoryId();
        await Api.CreateRepositoryAsync(repository, "marking_blob_importer");
        var blob = TestBlob.Random(10);
        var uploadId = await Api.UploadAsync(blob.Bytes);
        using (var response = await Api.ImportAsync(
            repository, uploadId, "docker_blob", new JsonObject { ["digest"] = blob.Digest.ToString() }, overrideConfig: new JsonObject { ["refuse_after_store"] = true }))
        {
            await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.BadRequest, "BRT0103", "refused after storing");
        }

        using var upload = await Api.Http.GetAsync($"{ContentApiClient.Root}/content/uploads/{uploadId}/");
        await ContentApiClient.ReadErrorAsync(upload, HttpStatusCode.NotFound, "PLP0009");
        Assert.That(await Api.SearchUnitsAsync(repository), Is.Empty);
    }

    [Test]
    public async Task Import_InvalidOverrideConfig_Is400()
    {
        var repository = NewRepositoryId();
        await Api.CreateDockerRepositoryAsync(repository);
        var blob = TestBlob.Random(10);
        var uploadId = await Api.UploadAsync(blob.Bytes);
        using var response = await Api.ImportAsync(
            repository, uploadId, "docker_blob", new JsonObject { ["digest"] = blob.Digest.ToString() }, overrideConfig: new JsonObject { ["colour"] = "red" });
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.BadRequest, "BRT0101", "colour");
    }

    [Test]
    public async Task Register_UnknownImporter_Is400ListingTheLoadedOnes()
    {
        var repository = NewRepositoryId();
        await Api.CreateRepositoryAsync(repository);
        using var response = await RegisterAsync(repository, "yum_importer");
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.BadRequest, "BRT0203", "yum_importer", "docker_blob_importer");
    }

    [TestCase("{\"colour\":\"red\"}", "unknown field colour")]
    [TestCase("{\"max_manifest_bytes\":0}", "max_manifest_bytes must be a positive integer")]
    [TestCase("{\"max_manifest_bytes\":\"4MB\"}", "max_manifest_bytes must be a positive integer")]
    [TestCase("{\"max_manifest_bytes\":2147483592}", "max_manifest_bytes may be 2147483591 at most")]
    [TestCase("{\"max_manifest_bytes\":9223372036854775807}", "max_manifest_bytes may be 2147483591 at most")]
    [TestCase("{\"max_manifest_bytes\":99999999999999999999}", "max_manifest_bytes must be a positive integer")]
    [TestCase("{\"max_manifest_bytes\":1e400}", "max_manifest_bytes must be a positive integer")]
    public async Task Register_InvalidConfig_Is400AndNothingIsRegistered(string config, string reason)
    {
        var repository = NewRepositoryId();
        await Api.CreateRepositoryAsync(repository);
        using var response = await Api.PostJsonAsync(
            $"/repositories/{repository}/importers/", $$"""{"importer_type_id":"docker_manifest_importer","importer_config":{{config}}}""");
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.BadRequest, "BRT0101", reason);
        Assert.That((await Api.GetJsonAsync($"/repositories/{repository}/importers/")).AsArray(), Is.Empty);
    }

    [TestCase("{}", "importer_type_id is required")]
    [TestCase("{\"importer_type_id\":\"docker_blob_importer\",\"importer_config\":[]}", "importer_config must be an object")]
    [TestCase("{\"importer_type_id\":\"docker_blob_importer\",\"distributors\":[]}", "unknown field distributors")]
    public async Task Register_MalformedBody_Is400(string body, string reason)
    {
        var repository = NewRepositoryId();
        await Api.CreateRepositoryAsync(repository);
        using var response = await Api.PostJsonAsync($"/repositories/{repository}/importers/", body);
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.BadRequest, "PLP0015", reason);
    }

    [Test]
    public async Task Register_OnUnknownRepository_Is404()
    {
        using var response = await RegisterAsync("ghost-repo", "docker_blob_importer");
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.NotFound, "PLP0009", "ghost-repo");
    }

    [Test]
    public async Task Remove_UnregistersTheImporter_AndImportsOfItsTypesAreRefused()
    {
        var repository = NewRepositoryId();
        await Api.CreateDockerRepositoryAsync(repository);
        using (var response = await Api.Http.DeleteAsync($"{ContentApiClient.Root}/repositories/{repository}/importers/docker_blob_importer/"))
        {
            await ContentApiClient.ReadAsync(response, HttpStatusCode.OK);
        }

        Assert.That(
            (await Api.GetJsonAsync($"/repositories/{repository}/importers/")).AsArray().Select(i => i!["id"]!.GetValue<string>()),
            Is.EqualTo(new[] { "docker_manifest_importer" }));
        var blob = TestBlob.Random(10);
        using var import = await Api.ImportAsync(repository, await Api.UploadAsync(blob.Bytes), "docker_blob", new JsonObject { ["digest"] = blob.Digest.ToString() });
        await ContentApiClient.ReadErrorAsync(import, HttpStatusCode.BadRequest, "BRT0202", "docker_manifest_importer", "register docker_blob_importer");
    }

    [Test]
    public async Task Remove_NotRegistered_Is404()
    {
        var repository = NewRepositoryId();
        await Api.CreateRepositoryAsync(repository);
        using var response = await Api.Http.DeleteAsync($"{ContentApiClient.Root}/repositories/{repository}/importers/docker_blob_importer/");
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.NotFound, "PLP0009", "docker_blob_importer");
    }
}
