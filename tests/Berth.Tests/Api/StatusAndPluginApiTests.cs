using System.Net;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Api;

public sealed class StatusAndPluginApiTests : ApiFixture
{
    [Test]
    public async Task Status_AnswersWithVersionAndStores()
    {
        var status = await Api.GetJsonAsync("/status/");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(status["api_version"]!.GetValue<string>(), Is.EqualTo("2"));
            Assert.That(status["versions"]!["platform_version"]!.GetValue<string>(), Does.Match(@"^\d+\.\d+\.\d+$"));
            Assert.That(status["database_connection"]!["connected"]!.GetValue<bool>(), Is.True);
            Assert.That(status["content_storage"]!["writable"]!.GetValue<bool>(), Is.True);
        }
    }

    [Test]
    public async Task Importers_ListsTheDockerImportersWithTheirTypes()
    {
        var importers = (await Api.GetJsonAsync("/plugins/importers/")).AsArray();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(importers.Select(i => i!["id"]!.GetValue<string>()), Is.EqualTo(new[] { "docker_blob_importer", "docker_manifest_importer", "docker_sync_importer" }));
            Assert.That(importers[2]!["types"]!.AsArray(), Is.Empty, "the sync importer brings units through the other two");
            Assert.That(importers[0]!["types"]!.AsArray().Select(t => t!.GetValue<string>()), Is.EqualTo(new[] { "docker_blob" }));
            Assert.That(importers[1]!["types"]!.AsArray().Select(t => t!.GetValue<string>()), Does.Contain("docker_manifest"));
            Assert.That(importers[0]!["display_name"]!.GetValue<string>(), Is.Not.Empty);
        }
    }

    [Test]
    public async Task OneImporter_IsShownByItsId() =>
        Assert.That((await Api.GetJsonAsync("/plugins/importers/docker_manifest_importer/"))["id"]!.GetValue<string>(), Is.EqualTo("docker_manifest_importer"));

    [Test]
    public async Task Types_ListsEveryUnitTypeWithItsKey()
    {
        var types = (await Api.GetJsonAsync("/plugins/types/")).AsArray();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(types.Select(t => t!["id"]!.GetValue<string>()), Is.EquivalentTo(new[] { "docker_blob", "docker_manifest", "docker_manifest_list", "docker_tag" }));
            Assert.That(types.Single(t => t!["id"]!.GetValue<string>() == "docker_blob")!["unit_key"]!.AsArray().Select(k => k!.GetValue<string>()), Is.EqualTo(new[] { "digest" }));
            Assert.That(types.Single(t => t!["id"]!.GetValue<string>() == "docker_tag")!["requires_upload"]!.GetValue<bool>(), Is.False);
        }
    }

    [Test]
    public async Task UnknownImporterOrType_Is404InPulpShape()
    {
        using var importer = await Api.Http.GetAsync(ContentApiClient.Root + "/plugins/importers/nope/");
        await ContentApiClient.ReadErrorAsync(importer, HttpStatusCode.NotFound, "PLP0009", "nope");
        using var type = await Api.Http.GetAsync(ContentApiClient.Root + "/plugins/types/nope/");
        await ContentApiClient.ReadErrorAsync(type, HttpStatusCode.NotFound, "PLP0009", "nope");
    }

    [Test]
    public async Task UnknownEndpoint_Is404InPulpShape()
    {
        using var response = await Api.Http.GetAsync(ContentApiClient.Root + "/no/such/thing/");
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.NotFound, "PLP0009", "/no/such/thing/");
    }

    [Test]
    public async Task WrongMethod_Is405InPulpShape()
    {
        using var response = await Api.Http.PutAsync(ContentApiClient.Root + "/status/", null);
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.MethodNotAllowed, "BRT0405", "PUT");
    }
}
