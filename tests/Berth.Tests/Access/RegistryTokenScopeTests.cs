using System.Net;
using System.Text.Json.Nodes;
using Berth.Tests.Support;
using NUnit.Framework;
using static Berth.Tests.Support.RegistryClient;

namespace Berth.Tests.Access;

/// <summary>
/// Registry tokens carry what they were issued for, typed, and no more than their credential allows now (issue 18,
/// finding 2 and the revocation, catalog and realm findings): the catalog scope is not a repository named
/// <c>catalog</c>; revoking the API token, removing a grant or changing the password ends what tokens issued
/// from them could do at once; the challenge's realm comes from the server, not from the request.
/// </summary>
[TestFixture(ServerKind.InProcess)]
[TestFixture(ServerKind.Process)]
public sealed class RegistryTokenScopeTests(ServerKind kind) : AccessFixture(kind)
{
    [Test]
    public async Task TheCatalogScope_GrantsNothingOnARepositoryNamedCatalog()
    {
        var victim = "catalog";
        var image = TestManifest.DockerImage();
        await new RegistryClient(Host.CreateClient()).PushImageAsync(victim, image, "prod");
        var anyone = await CreateUserAsync(("mine/*", "pull,push,delete,admin"));
        var token = await TokenAsync(ClientAs(anyone), "registry:catalog:*", "repository:catalog:pull,push,delete");
        Assert.That(Claims(token)["access"]!.AsArray().Select(a => a!["type"]!.GetValue<string>()), Is.EqualTo(new[] { "registry" }));

        using var client = Bearer(token);
        await ReadErrorAsync(await client.GetAsync($"/v2/{victim}/tags/list"), HttpStatusCode.Forbidden, "DENIED");
        await ReadErrorAsync(await client.GetAsync($"/v2/{victim}/manifests/prod"), HttpStatusCode.Forbidden, "DENIED");
        await ReadErrorAsync(await client.DeleteAsync($"/v2/{victim}/manifests/prod"), HttpStatusCode.Forbidden, "DENIED");
        await ReadErrorAsync(await client.PostAsync($"/v2/{victim}/blobs/uploads/", null), HttpStatusCode.Forbidden, "DENIED");
        await ReadErrorAsync(await new RegistryClient(client).PutManifestAsync(victim, "evil", image.Bytes, image.MediaType), HttpStatusCode.Forbidden, "DENIED");

        // A registry token is not a credential of the content API at all.
        using (var update = await client.PutAsync(
            $"{ContentApiClient.Root}/repositories/{victim}/", new StringContent("""{"delta": {"anonymous_pull": true}}""", System.Text.Encoding.UTF8, "application/json")))
        {
            await ContentApiClient.ReadErrorAsync(update, HttpStatusCode.Unauthorized, "BRT0401", "registry tokens");
        }

        using var catalog = await client.GetAsync("/v2/_catalog");
        Assert.That(catalog.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the catalog scope still opens the catalog");
        using var pulled = await Host.CreateClient().GetAsync($"/v2/{victim}/manifests/prod");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(pulled.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await pulled.Content.ReadAsByteArrayAsync(), Is.EqualTo(image.Bytes), "the tag was neither moved nor deleted");
        }
    }

    [Test]
    public async Task RevokingTheApiToken_EndsTheRegistryTokensIssuedFromIt_AtOnce()
    {
        var name = await PushedNameAsync();
        var robot = await CreateUserAsync(("team/*", "pull,push"));
        var secret = await CreateTokenAsync(robot, new JsonObject { ["name"] = "ci" }, asLogin: robot);
        using var client = Bearer(await TokenAsync(ClientAs(robot, secret), $"repository:{name}:pull"));
        using (var before = await client.GetAsync($"/v2/{name}/manifests/v1"))
        {
            Assert.That(before.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        var id = secret.Split('_')[1];
        using (var revoked = await ApiAs(robot).Http.DeleteAsync($"{ContentApiClient.Root}/users/{robot}/tokens/{id}/"))
        {
            Assert.That(revoked.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        await ReadErrorAsync(await client.GetAsync($"/v2/{name}/manifests/v1"), HttpStatusCode.Unauthorized, "UNAUTHORIZED");
    }

    [Test]
    public async Task RemovingAGrant_EndsWhatRegistryTokensCarry_AtOnce()
    {
        var name = await PushedNameAsync();
        var reader = await CreateUserAsync(("team/*", "pull"));
        using var client = Bearer(await TokenAsync(ClientAs(reader), $"repository:{name}:pull"));
        using (var before = await client.GetAsync($"/v2/{name}/manifests/v1"))
        {
            Assert.That(before.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        using (var update = await Api.Http.PutAsync($"{ContentApiClient.Root}/users/{reader}/", new StringContent("""{"delta": {"grants": []}}""")))
        {
            Assert.That(update.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        await ReadErrorAsync(await client.GetAsync($"/v2/{name}/manifests/v1"), HttpStatusCode.Forbidden, "DENIED");
    }

    [Test]
    public async Task ChangingThePassword_EndsTheRegistryTokensIssuedForIt()
    {
        var name = await PushedNameAsync();
        var reader = await CreateUserAsync(("team/*", "pull"));
        using var client = Bearer(await TokenAsync(ClientAs(reader), $"repository:{name}:pull"));
        using (var changed = await ApiAs(reader).Http.PutAsync($"{ContentApiClient.Root}/users/{reader}/", new StringContent("""{"delta": {"password": "another-password-1"}}""")))
        {
            Assert.That(changed.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        await ReadErrorAsync(await client.GetAsync($"/v2/{name}/manifests/v1"), HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        using var fresh = Bearer(await TokenAsync(ClientAs(reader, "another-password-1"), $"repository:{name}:pull"));
        using var pulled = await fresh.GetAsync($"/v2/{name}/manifests/v1");
        Assert.That(pulled.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task ARobotTokensCatalog_ShowsItsScope_NotItsUsersGrants()
    {
        var inScope = await PushedNameAsync();
        var outOfScope = "other/" + NewRepositoryId();
        await new RegistryClient(Host.CreateClient()).PushImageAsync(outOfScope, TestManifest.DockerImage(), "v1");
        var user = await CreateUserAsync(("team/*", "pull"), ("other/*", "pull"));
        var secret = await CreateTokenAsync(
            user,
            new JsonObject { ["name"] = "robot", ["scope"] = new JsonArray(new JsonObject { ["pattern"] = "team/*", ["actions"] = new JsonArray("pull") }) },
            asLogin: user);

        foreach (var client in new[] { Bearer(await TokenAsync(ClientAs(user, secret), "registry:catalog:*")), ClientAs(user, secret) })
        {
            using (client)
            {
                using var response = await client.GetAsync("/v2/_catalog");
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
                var names = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["repositories"]!.AsArray().Select(n => n!.GetValue<string>()).ToList();
                Assert.That(names, Does.Contain(inScope).And.Not.Contain(outOfScope));
            }
        }
    }

    [Test]
    public async Task TheChallengesRealm_ComesFromTheServer_NotFromTheHostHeader()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/");
        request.Headers.Host = "attacker.example";
        using var response = await AnonymousClient().SendAsync(request);
        var challenge = response.Headers.WwwAuthenticate.ToString();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(challenge, Does.StartWith("Bearer realm=\"http").And.Contain("/token\""));
            Assert.That(challenge, Does.Not.Contain("attacker.example"));
        }
    }
}
