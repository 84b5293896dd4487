using System.Net;
using System.Text.Json.Nodes;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Sync;

/// <summary>
/// A repository made as Pulp 2's docker clients make one: <c>docker_importer</c> with pulp_docker's importer_config in
/// one call. The config reaches the sync importer, which takes pulp_docker's names and switches; the repository syncs.
/// </summary>
public sealed class Pulp2SyncConfigTests() : SyncFixture(ServerKind.InProcess)
{
    [Test]
    public async Task DockerImporter_WithPulpDockersConfig_Syncs_TheTagsListed()
    {
        var name = NewUpstreamName();
        var (one, two) = (TestManifest.DockerImage(layers: 1), TestManifest.DockerImage(layers: 1));
        await Upstream.Client.PushImageAsync(name, one, "1.0");
        await Upstream.Client.PushImageAsync(name, two, "2.0");
        var config = new JsonObject(FeedOf(name))
        {
            ["enable_v1"] = false,
            ["enable_v2"] = true,
            ["validate"] = true,
            ["ssl_validation"] = false,
            ["max_downloads"] = 2,
            ["tags"] = new JsonArray("1.0"),
        };

        var repository = await SyncedRepositoryAsync(config);
        var importers = (await Api.GetJsonAsync($"/repositories/{repository}/importers/")).AsArray();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(importers.Select(i => i!["importer_type_id"]!.GetValue<string>()), Is.EquivalentTo(new[] { "docker_blob_importer", "docker_manifest_importer", "docker_sync_importer" }));
            Assert.That(importers.Single(i => i!["importer_type_id"]!.GetValue<string>() == "docker_sync_importer")!["config"]!["enable_v1"]!.GetValue<bool>(), Is.False, "kept as given");
            Assert.That(importers.Where(i => i!["importer_type_id"]!.GetValue<string>() != "docker_sync_importer").Select(i => i!["config"]!.AsObject().ContainsKey("feed")), Has.All.False, "the upload importers keep their own config");
        }

        Finished(await SyncToEndAsync(repository));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await TagDigestAsync(repository, "1.0"), Is.EqualTo(one.Digest.ToString()));
            Assert.That(await TagDigestAsync(repository, "2.0"), Is.Null, "not listed in tags");
        }
    }

    [TestCase("enable_v1", "true", "v1 is not supported")]
    [TestCase("enable_v2", "false", "Registry API v2")]
    [TestCase("validate", "false", "checked against its digest")]
    [TestCase("ssl_validation", "\"no\"", "tls_verify")]
    public async Task DockerImporter_WithWhatBerthDoesNotDo_IsRefused_NamingTheKey_AndMakesNothing(string key, string value, string reason)
    {
        var id = NewRepositoryId();
        var config = new JsonObject(FeedOf(NewUpstreamName())) { [key] = JsonNode.Parse(value) };
        using var response = await Api.PostJsonAsync("/repositories/", new JsonObject { ["id"] = id, ["importer_type_id"] = "docker_importer", ["importer_config"] = config });
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.BadRequest, "BRT0101", key, reason);
        using var absent = await Api.Http.GetAsync($"{ContentApiClient.Root}/repositories/{id}/");
        Assert.That(absent.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task PulpDockersPassword_IsShownNowhere()
    {
        var repository = await SyncedRepositoryAsync(new JsonObject(FeedOf(NewUpstreamName()))
        {
            ["basic_auth_username"] = "robot",
            ["basic_auth_password"] = "never-shown-secret",
        });

        var shown = (await Api.GetJsonAsync($"/repositories/{repository}/?details=true")).ToJsonString();
        Assert.That(shown, Does.Not.Contain("never-shown-secret"));
        Assert.That(shown, Does.Contain("robot"));
    }
}
