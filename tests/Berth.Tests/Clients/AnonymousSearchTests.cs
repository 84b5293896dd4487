using System.Net;
using System.Text.Json.Nodes;
using Berth.Tests.Access;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Clients;

/// <summary>
/// The one body an anonymous caller may send: a unit search of a repository open to anonymous pulls, whose access
/// is checked before the body is read, and which is kept small.
/// </summary>
public sealed class AnonymousSearchTests : AccessFixture
{
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
