using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Berth.Tests.Support;
using NUnit.Framework;
using static Berth.Tests.Support.RegistryClient;

namespace Berth.Tests.Access;

/// <summary>The registry's sign-in: challenges, the token endpoint, bearer tokens and Basic, grants and scopes.</summary>
[TestFixture(ServerKind.InProcess)]
[TestFixture(ServerKind.Process)]
[TestFixture(ServerKind.Process, StorageBackend.PostgreSql)]
public sealed class RegistryAuthTests(ServerKind kind, StorageBackend backend = StorageBackend.Default) : AccessFixture(kind, backend)
{
    [Test]
    public async Task Base_Anonymous_IsChallengedToGetAToken()
    {
        using var anonymous = AnonymousClient();
        using var response = await anonymous.GetAsync("/v2/");
        await ReadErrorAsync(response, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        var challenge = response.Headers.WwwAuthenticate.ToString();
        Assert.That(challenge, Does.StartWith("Bearer realm=\"http").And.Contain("/token\"").And.Contain("service=\"berth\""));
        using var signedIn = await Host.CreateClient().GetAsync("/v2/");
        Assert.That(signedIn.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task APrivateRepository_ChallengesAnonymousPulls_WithTheScopeNeeded_EvenWhenItDoesNotExist()
    {
        var name = await PushedNameAsync();
        using var anonymous = AnonymousClient();
        foreach (var path in new[] { $"/v2/{name}/manifests/v1", "/v2/no/such/repository/manifests/v1" })
        {
            using var response = await anonymous.GetAsync(path);
            await ReadErrorAsync(response, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
            var target = path.Split("/manifests/")[0][4..];
            Assert.That(response.Headers.WwwAuthenticate.ToString(), Does.Contain($"scope=\"repository:{target}:pull\""));
        }
    }

    [Test]
    public async Task TokenFlow_PushAndPullWithBearerTokens()
    {
        var name = "team/" + NewRepositoryId();
        var token = await TokenAsync(Host.CreateClient(), $"repository:{name}:pull,push");
        Assert.That(Granted(token, name), Is.EquivalentTo(new[] { "pull", "push" }));
        var registry = new RegistryClient(Bearer(token));
        var image = TestManifest.DockerImage();
        await registry.PushImageAsync(name, image, "v1");
        using var pulled = await registry.Http.GetAsync($"/v2/{name}/manifests/v1");
        Assert.That(await pulled.Content.ReadAsByteArrayAsync(), Is.EqualTo(image.Bytes));
    }

    [Test]
    public async Task TheTokenGrants_OnlyWhatWasAskedAndIsAllowed()
    {
        var name = await PushedNameAsync();
        var reader = await CreateUserAsync(("team/*", "pull"));
        var token = await TokenAsync(ClientAs(reader), $"repository:{name}:pull,push,delete", "repository:other/thing:pull");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Granted(token, name), Is.EqualTo(new[] { "pull" }));
            Assert.That(Granted(token, "other/thing"), Is.Empty);
            Assert.That(Claims(token)["sub"]!.GetValue<string>(), Is.EqualTo(reader));
            Assert.That(Claims(token)["aud"]!.GetValue<string>(), Is.EqualTo("berth"));
        }
    }

    [Test]
    public async Task APullOnlyUsersPush_IsDenied_WithTokenOrBasic()
    {
        var name = await PushedNameAsync();
        var reader = await CreateUserAsync(("team/*", "pull"));
        var image = TestManifest.DockerImage();
        var token = await TokenAsync(ClientAs(reader), $"repository:{name}:pull,push");
        foreach (var client in new[] { Bearer(token), ClientAs(reader) })
        {
            using (client)
            {
                await ReadErrorAsync(await client.PostAsync($"/v2/{name}/blobs/uploads/", null), HttpStatusCode.Forbidden, "DENIED");
                await ReadErrorAsync(await new RegistryClient(client).PutManifestAsync(name, "v2", image.Bytes, image.MediaType), HttpStatusCode.Forbidden, "DENIED");
                await ReadErrorAsync(await client.DeleteAsync($"/v2/{name}/manifests/v1"), HttpStatusCode.Forbidden, "DENIED");
                using var pull = await client.GetAsync($"/v2/{name}/manifests/v1");
                Assert.That(pull.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            }
        }
    }

    [Test]
    public async Task ATokenThatLacksWhatTheUserMayDo_IsChallengedForIt()
    {
        var name = await PushedNameAsync();
        var writer = await CreateUserAsync(("team/*", "pull,push"));
        var pullOnly = await TokenAsync(ClientAs(writer), $"repository:{name}:pull");
        using var client = Bearer(pullOnly);
        using var response = await client.PostAsync($"/v2/{name}/blobs/uploads/", null);
        await ReadErrorAsync(response, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        Assert.That(response.Headers.WwwAuthenticate.ToString(), Does.Contain($"scope=\"repository:{name}:push\""));
    }

    [Test]
    public async Task AnonymousTokens_GrantPullOfAnonymousRepositoriesOnly()
    {
        var open = await PushedNameAsync();
        var closed = await PushedNameAsync();
        var id = open.Replace('/', '-');
        using (var update = await Api.Http.PutAsync($"{ContentApiClient.Root}/repositories/{id}/", new StringContent("""{"delta": {"anonymous_pull": true}}""")))
        {
            Assert.That(update.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        var token = await TokenAsync(AnonymousClient(), $"repository:{open}:pull,push", $"repository:{closed}:pull");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Granted(token, open), Is.EqualTo(new[] { "pull" }));
            Assert.That(Granted(token, closed), Is.Empty);
            Assert.That(Claims(token)["sub"]!.GetValue<string>(), Is.Empty);
        }

        using var client = Bearer(token);
        using (var pulled = await client.GetAsync($"/v2/{open}/manifests/v1"))
        {
            Assert.That(pulled.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        using var anonymousPull = await AnonymousClient().GetAsync($"/v2/{open}/manifests/v1");
        Assert.That(anonymousPull.StatusCode, Is.EqualTo(HttpStatusCode.OK), "no token is needed either");
        await ReadErrorAsync(await client.GetAsync($"/v2/{closed}/manifests/v1"), HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        await ReadErrorAsync(await client.PostAsync($"/v2/{open}/blobs/uploads/", null), HttpStatusCode.Unauthorized, "UNAUTHORIZED");
    }

    [Test]
    public async Task AnApiTokenWorksAsAPassword_ForBasicAndForTheTokenEndpoint()
    {
        var name = await PushedNameAsync();
        var robot = await CreateUserAsync(("team/*", "pull,push"));
        var secret = await CreateTokenAsync(robot, new JsonObject { ["name"] = "ci" }, asLogin: robot);
        using (var basic = await ClientAs(robot, secret).GetAsync($"/v2/{name}/manifests/v1"))
        {
            Assert.That(basic.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        var token = await TokenAsync(ClientAs(robot, secret), $"repository:{name}:pull,push");
        Assert.That(Granted(token, name), Is.EquivalentTo(new[] { "pull", "push" }));
    }

    [Test]
    public async Task TheTokenEndpoint_RefusesBadCredentialsScopesAndServices()
    {
        using var wrong = Host.CreateAnonymousClient().SignIn("admin", "wrong-password");
        await ReadErrorAsync(await wrong.GetAsync("/token?service=berth&scope=repository:a:pull"), HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        using var admin = Host.CreateClient();
        await ReadErrorAsync(await admin.GetAsync("/token?service=berth&scope=nonsense"), HttpStatusCode.BadRequest, "UNSUPPORTED");
        await ReadErrorAsync(await admin.GetAsync("/token?service=elsewhere&scope=repository:a:pull"), HttpStatusCode.BadRequest, "UNSUPPORTED");
    }

    [Test]
    public async Task AForgedToken_IsRefused()
    {
        var name = await PushedNameAsync();
        var token = await TokenAsync(Host.CreateClient(), $"repository:{name}:pull");
        var parts = token.Split('.');
        var claims = Claims(token);
        claims["access"]![0]!["actions"] = new JsonArray("pull", "push", "delete");
        var forgedPayload = Convert.ToBase64String(Encoding.UTF8.GetBytes(claims.ToJsonString())).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        foreach (var forged in new[] { $"{parts[0]}.{forgedPayload}.{parts[2]}", token[..^3] + "abc", "not.a.token", "garbage" })
        {
            using var client = Bearer(forged);
            await ReadErrorAsync(await client.DeleteAsync($"/v2/{name}/manifests/v1"), HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        }
    }

    [Test]
    public async Task TheCatalog_ListsOnlyWhatTheCallerMayPull_AndTokensNeedItsScope()
    {
        var mine = await PushedNameAsync();
        var theirs = "other/" + NewRepositoryId();
        await new RegistryClient(Host.CreateClient()).PushImageAsync(theirs, TestManifest.DockerImage(), "v1");
        var reader = await CreateUserAsync(("team/*", "pull"));
        using (var basic = await ClientAs(reader).GetAsync("/v2/_catalog"))
        {
            var names = JsonNode.Parse(await basic.Content.ReadAsStringAsync())!["repositories"]!.AsArray().Select(n => n!.GetValue<string>()).ToList();
            Assert.That(names, Does.Contain(mine).And.Not.Contain(theirs));
        }

        using (var withoutScope = Bearer(await TokenAsync(ClientAs(reader), $"repository:{mine}:pull")))
        {
            using var response = await withoutScope.GetAsync("/v2/_catalog");
            await ReadErrorAsync(response, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
            Assert.That(response.Headers.WwwAuthenticate.ToString(), Does.Contain("scope=\"registry:catalog:*\""));
        }

        using var withScope = Bearer(await TokenAsync(ClientAs(reader), "registry:catalog:*"));
        using var catalog = await withScope.GetAsync("/v2/_catalog");
        Assert.That(catalog.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task AMountFromARepositoryTheCallerCannotRead_OpensASessionInstead()
    {
        var secret = "secret/" + NewRepositoryId();
        var blob = TestBlob.Random(100);
        await new RegistryClient(Host.CreateClient()).PushBlobAsync(secret, blob);
        var writer = await CreateUserAsync(("team/*", "pull,push"));
        using var client = ClientAs(writer);
        using var mount = await client.PostAsync($"/v2/team/{NewRepositoryId()}/blobs/uploads/?mount={blob.Digest}&from={secret}", null);
        Assert.That(mount.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
    }

    [Test]
    public async Task PushesAndDeletes_AreAudited_WithTheUser()
    {
        var name = await PushedNameAsync();
        using (var deleted = await Host.CreateClient().DeleteAsync($"/v2/{name}/manifests/v1"))
        {
            Assert.That(deleted.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        }

        await Host.AssertAuditedAsync(
            ["action=push.blob", $"target={name}@sha256:", "user=admin"],
            ["action=push.manifest", $"target={name}@sha256:", "detail=tag v1"],
            ["action=delete.tag", $"target={name}:v1", "user=admin"]);
    }
}
