using System.Net;
using System.Text.Json.Nodes;
using Berth.Tests.Access;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Clients;

/// <summary>
/// Bodies from anonymous callers are refused before they are read, with each API's own 401 and challenge; the one
/// an anonymous caller may send is a unit search of a repository open to anonymous pulls, whose access is checked
/// before the body is read, and which is kept small.
/// </summary>
public sealed class AnonymousBodyTests : AccessFixture
{
    [Test]
    public async Task AnAnonymousBody_GetsItsApisChallenge()
    {
        var repository = await DockerRepositoryAsync();
        var session = await new RegistryClient(Api.Http).StartUploadAsync(repository);
        var anonymous = new RegistryClient(AnonymousClient());

        var refused = await anonymous.SendAsync(HttpMethod.Patch, session, new ByteArrayContent(new byte[100]));
        await RegistryClient.ReadErrorAsync(refused, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        Assert.That(refused.Headers.WwwAuthenticate.ToString(), Does.StartWith("Bearer realm=").And.Contain("service=\"berth\""));

        var pulp = await anonymous.Http.PostAsync($"{ContentApiClient.Root}/users/", new StringContent("""{"login": "intruder", "password": "long-enough-password"}"""));
        await ContentApiClient.ReadErrorAsync(pulp, HttpStatusCode.Unauthorized, "BRT0401");
        Assert.That(pulp.Headers.WwwAuthenticate.ToString(), Does.StartWith("Basic realm="));
    }

    [Test]
    public async Task AnonymousCallers_MaySearchWhatTheyMayPull_WithASmallBody()
    {
        var open = NewRepositoryId();
        using (var created = await Api.PostJsonAsync("/repositories/", new JsonObject { ["id"] = open, ["anonymous_pull"] = true }))
        {
            await ContentApiClient.ReadAsync(created, HttpStatusCode.Created);
        }

        var closed = await DockerRepositoryAsync();
        var anonymous = new ContentApiClient(AnonymousClient());

        using (var found = await anonymous.PostJsonAsync($"/repositories/{open}/search/units/", """{"criteria": {"type_ids": ["docker_blob"]}}"""))
        {
            Assert.That((await ContentApiClient.ReadAsync(found, HttpStatusCode.OK)).AsArray(), Is.Empty);
        }

        var large = new JsonObject { ["criteria"] = new JsonObject { ["type_ids"] = new JsonArray([.. Enumerable.Range(0, 2000).Select(i => JsonValue.Create($"type-{i}"))]) } };
        await ContentApiClient.ReadErrorAsync(await anonymous.PostJsonAsync($"/repositories/{open}/search/units/", large), HttpStatusCode.RequestEntityTooLarge, "BRT0413");
        await ContentApiClient.ReadErrorAsync(await anonymous.PostJsonAsync($"/repositories/{closed}/search/units/", """{"criteria": {}}"""), HttpStatusCode.Unauthorized, "BRT0401");
        using (var signedIn = await Api.PostJsonAsync($"/repositories/{open}/search/units/", large))
        {
            await ContentApiClient.ReadAsync(signedIn, HttpStatusCode.OK);
        }

        var wrongPassword = new ContentApiClient(Host.CreateAnonymousClient().SignIn("admin", "wrong-password"));
        await ContentApiClient.ReadErrorAsync(await wrongPassword.PostJsonAsync($"/repositories/{open}/search/units/", """{"criteria": {}}"""), HttpStatusCode.Unauthorized, "BRT0401");
    }
}
