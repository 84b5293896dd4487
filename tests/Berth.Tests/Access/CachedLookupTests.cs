using System.Net;
using System.Text.Json.Nodes;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Access;

/// <summary>
/// Repositories, importers, users, grants and tokens are read from memory while pushes write units; a change to any of
/// them takes effect at the very next request. Each test warms the lookups with a request, lets a push write meanwhile
/// (which must not matter), makes the change, and asks again.
/// </summary>
public sealed class CachedLookupTests : AccessFixture
{
    [Test]
    public async Task AGrantRemoved_TakesEffectAtOnce()
    {
        var name = await PushedNameAsync();
        var login = await CreateUserAsync(("team/*", "pull"));
        using var user = ClientAs(login);
        await ExpectAsync(user, $"/v2/{name}/tags/list", HttpStatusCode.OK);
        await PushedNameAsync();
        await ExpectAsync(user, $"/v2/{name}/tags/list", HttpStatusCode.OK);

        using (var changed = await Api.Http.PutAsync($"{ContentApiClient.Root}/users/{login}/", new StringContent("""{"delta": {"grants": []}}""")))
        {
            await ContentApiClient.ReadAsync(changed, HttpStatusCode.OK);
        }

        using var refused = await user.GetAsync($"/v2/{name}/tags/list");
        Assert.That(refused.StatusCode, Is.AnyOf(HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden, HttpStatusCode.NotFound));
    }

    [Test]
    public async Task ATokenRevoked_IsRefusedAtOnce()
    {
        var name = await PushedNameAsync();
        var login = await CreateUserAsync(("team/*", "pull"));
        JsonNode created;
        using (var response = await ApiAs(login).PostJsonAsync($"/users/{login}/tokens/", new JsonObject { ["name"] = "ci" }))
        {
            created = await ContentApiClient.ReadAsync(response, HttpStatusCode.Created);
        }

        using var robot = ClientAs(login, created["token"]!.GetValue<string>());
        await ExpectAsync(robot, $"/v2/{name}/tags/list", HttpStatusCode.OK);
        await PushedNameAsync();
        await ExpectAsync(robot, $"/v2/{name}/tags/list", HttpStatusCode.OK);

        using (var revoked = await ApiAs(login).Http.DeleteAsync($"{ContentApiClient.Root}/users/{login}/tokens/{created["id"]!.GetValue<string>()}/"))
        {
            await ContentApiClient.ReadAsync(revoked, HttpStatusCode.OK);
        }

        await ExpectAsync(robot, $"/v2/{name}/tags/list", HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task ARepositoryRenamed_IsServedUnderItsNewNameOnly_AtOnce()
    {
        var id = NewRepositoryId();
        await Api.CreateDockerRepositoryAsync(id);
        var registry = new RegistryClient(Host.CreateClient());
        await registry.PushImageAsync(id, TestManifest.DockerImage(), "v1");
        await ExpectAsync(Api.Http, $"/v2/{id}/manifests/v1", HttpStatusCode.OK);
        await registry.PushImageAsync(id, TestManifest.DockerImage(), "v2");
        await ExpectAsync(Api.Http, $"/v2/{id}/manifests/v1", HttpStatusCode.OK);

        var renamed = $"moved/{id}";
        using (var changed = await Api.Http.PutAsync($"{ContentApiClient.Root}/repositories/{id}/", new StringContent(new JsonObject { ["delta"] = new JsonObject { ["registry_name"] = renamed } }.ToJsonString())))
        {
            await ContentApiClient.ReadAsync(changed, HttpStatusCode.OK);
        }

        await ExpectAsync(Api.Http, $"/v2/{id}/manifests/v1", HttpStatusCode.NotFound);
        await ExpectAsync(Api.Http, $"/v2/{renamed}/manifests/v1", HttpStatusCode.OK);
    }

    [Test]
    public async Task AnImporterRemoved_StopsImportsAtOnce()
    {
        var id = NewRepositoryId();
        await Api.CreateDockerRepositoryAsync(id);
        await Api.ImportBlobAsync(id, TestBlob.Random(100));

        using (var removed = await Api.Http.DeleteAsync($"{ContentApiClient.Root}/repositories/{id}/importers/docker_blob_importer/"))
        {
            await ContentApiClient.ReadAsync(removed, HttpStatusCode.OK);
        }

        var blob = TestBlob.Random(100);
        using var refused = await Api.ImportAsync(id, await Api.UploadAsync(blob.Bytes), "docker_blob", new JsonObject { ["digest"] = blob.Digest.ToString() });
        await ContentApiClient.ReadErrorAsync(refused, HttpStatusCode.BadRequest, null, "docker_blob_importer");
    }

    private static async Task ExpectAsync(HttpClient client, string path, HttpStatusCode expected)
    {
        using var response = await client.GetAsync(path);
        Assert.That(response.StatusCode, Is.EqualTo(expected), $"GET {path}: {await response.Content.ReadAsStringAsync()}");
    }
}
