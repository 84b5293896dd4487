using System.Net;
using System.Text.Json.Nodes;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Access;

/// <summary>
/// Creating or renaming a repository needs admin on its id and on its registry name, each by itself, and a name
/// already taken tells nothing the caller may not see (issue 18, finding 3): bob cannot place a repository under
/// alice's registry name, or under an id her grants cover, and so cannot catch her pulls and pushes.
/// </summary>
public sealed class RepositoryNameClaimTests : AccessFixture
{
    private string _alice = null!;
    private string _bob = null!;

    [SetUp]
    public async Task TwoUsersWithTheirOwnNames()
    {
        _alice = await CreateUserAsync(("alice/*", "pull,push,delete,admin"), ("alice-*", "pull,push,delete,admin"));
        _bob = await CreateUserAsync(("bob/*", "pull,push,delete,admin"), ("bob-*", "pull,push,delete,admin"));
    }

    [TestCase("bob-squat", "alice/web", TestName = "Create_UnderSomeoneElsesRegistryName_Is403")]
    [TestCase("alice-prod", "bob/x", TestName = "Create_UnderSomeoneElsesId_Is403")]
    [TestCase("alice-prod", null, TestName = "Create_UnderSomeoneElsesId_WithoutARegistryName_Is403")]
    public async Task CreatingARepositoryOutsideOnesGrants_IsRefused_AndCreatesNothing(string id, string? registryName)
    {
        var body = new JsonObject { ["id"] = id };
        if (registryName is not null)
        {
            body["registry_name"] = registryName;
        }

        await ContentApiClient.ReadErrorAsync(await ApiAs(_bob).PostJsonAsync("/repositories/", body), HttpStatusCode.Forbidden, "BRT0403");
        using var shown = await Api.Http.GetAsync($"{ContentApiClient.Root}/repositories/{id}/");
        Assert.That(shown.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task TheSquatFromThePenetrationTest_CannotCatchAlicesPushesOrServeHerPulls()
    {
        var name = $"alice/web-{NewRepositoryId()}";
        await ContentApiClient.ReadErrorAsync(
            await ApiAs(_bob).PostJsonAsync("/repositories/", new JsonObject { ["id"] = $"bob-{NewRepositoryId()}", ["registry_name"] = name }),
            HttpStatusCode.Forbidden,
            "BRT0403");

        // Alice's first push creates her own repository; bob sees nothing of it.
        var image = TestManifest.DockerImage();
        await new RegistryClient(ClientAs(_alice)).PushImageAsync(name, image, "2.0");
        await RegistryClient.ReadErrorAsync(await ClientAs(_bob).GetAsync($"/v2/{name}/manifests/2.0"), HttpStatusCode.Forbidden, "DENIED");
        var repositories = (await ApiAs(_alice).GetJsonAsync("/repositories/")).AsArray();
        Assert.That(repositories.Select(r => r!["registry_name"]?.GetValue<string>()), Does.Contain(name));
    }

    [Test]
    public async Task ANameTakenOutsideOnesGrants_AnswersAsOneFreeOutsideThem()
    {
        var taken = $"alice/{NewRepositoryId()}";
        var free = $"alice/{NewRepositoryId()}-free";
        using (var created = await ApiAs(_alice).PostJsonAsync("/repositories/", new JsonObject { ["id"] = $"alice-{NewRepositoryId()}", ["registry_name"] = taken }))
        {
            await ContentApiClient.ReadAsync(created, HttpStatusCode.Created);
        }

        var answers = new List<string>();
        foreach (var name in new[] { taken, free })
        {
            var error = await ContentApiClient.ReadErrorAsync(
                await ApiAs(_bob).PostJsonAsync("/repositories/", new JsonObject { ["id"] = $"bob-{NewRepositoryId()}", ["registry_name"] = name }),
                HttpStatusCode.Forbidden,
                "BRT0403");
            answers.Add(error["error_message"]!.GetValue<string>().Replace(name, "NAME", StringComparison.Ordinal));
        }

        Assert.That(answers[0], Is.EqualTo(answers[1]));
    }

    [Test]
    public async Task Renaming_ToSomeoneElsesRegistryName_Is403_WhetherOrNotItIsTaken()
    {
        var mine = $"bob-{NewRepositoryId()}";
        using (var created = await ApiAs(_bob).PostJsonAsync("/repositories/", new JsonObject { ["id"] = mine, ["registry_name"] = $"bob/{NewRepositoryId()}" }))
        {
            await ContentApiClient.ReadAsync(created, HttpStatusCode.Created);
        }

        foreach (var name in new[] { "alice/web", $"alice/{NewRepositoryId()}" })
        {
            using var renamed = await ApiAs(_bob).Http.PutAsync(
                $"{ContentApiClient.Root}/repositories/{mine}/", new StringContent(new JsonObject { ["delta"] = new JsonObject { ["registry_name"] = name } }.ToJsonString()));
            await ContentApiClient.ReadErrorAsync(renamed, HttpStatusCode.Forbidden, "BRT0403");
        }

        using var own = await ApiAs(_bob).Http.PutAsync(
            $"{ContentApiClient.Root}/repositories/{mine}/", new StringContent("""{"delta": {"registry_name": "bob/renamed"}}"""));
        await ContentApiClient.ReadAsync(own, HttpStatusCode.OK);
    }

    [Test]
    public async Task WithAdminOnBothItsIdAndItsName_AUserCreatesTheRepository()
    {
        using var created = await ApiAs(_bob).PostJsonAsync("/repositories/", new JsonObject { ["id"] = $"bob-{NewRepositoryId()}", ["registry_name"] = $"bob/{NewRepositoryId()}" });
        await ContentApiClient.ReadAsync(created, HttpStatusCode.Created);
    }
}
