using System.Net;
using System.Text.Json.Nodes;
using Berth.Tests.Access;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Promotion;

/// <summary>Tag history: every move recorded with time, actor and digests; rollback to an earlier manifest.</summary>
[TestFixture(StorageBackend.Default)]
[TestFixture(StorageBackend.PostgreSql)]
public sealed class TagHistoryApiTests(StorageBackend backend) : AccessFixture(ServerKind.InProcess, backend)
{
    [Test]
    public async Task EveryMove_IsRecorded_NewestFirst_WithWhoMadeIt()
    {
        var repository = await DockerRepositoryAsync();
        var (first, second) = (TestManifest.OciImage(), TestManifest.OciImage());
        var pusher = await CreateUserAsync((repository, "pull,push,delete"));
        await Api.ImportImageAsync(repository, first, "1.0");
        var registry = new RegistryClient(ClientAs(pusher));
        await registry.PushImageAsync(repository, second, "1.0");
        using (var delete = await registry.SendAsync(HttpMethod.Delete, $"/v2/{repository}/manifests/1.0"))
        {
            Assert.That(delete.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        }

        var history = await HistoryAsync(repository, "1.0");

        Assert.That(history, Has.Count.EqualTo(3));
        Assert.That(Moves(history), Is.EqualTo(new[]
        {
            $"{pusher}: {second.Digest} -> none",
            $"{pusher}: {first.Digest} -> {second.Digest}",
            $"admin: none -> {first.Digest}",
        }));
        Assert.That(history[0]!["at"]!.GetValue<DateTimeOffset>(), Is.GreaterThanOrEqualTo(history[2]!["at"]!.GetValue<DateTimeOffset>()));
    }

    [Test]
    public async Task Rollback_PointsTheTagBackAtTheManifestBefore_AndIsItselfAMove()
    {
        var repository = await DockerRepositoryAsync();
        var (first, second) = (TestManifest.OciImage(), TestManifest.OciImage());
        await Api.ImportImageAsync(repository, first, "stable");
        await Api.ImportImageAsync(repository, second, "stable");

        using (var response = await Api.PostJsonAsync($"/repositories/{repository}/actions/tag_rollback/", new JsonObject { ["tag"] = "stable" }))
        {
            await ContentApiClient.ReadAsync(response, HttpStatusCode.OK);
        }

        using (var served = await Api.Http.GetAsync($"/v2/{repository}/manifests/stable"))
        {
            Assert.That(await served.Content.ReadAsByteArrayAsync(), Is.EqualTo(first.Bytes));
        }

        Assert.That(Moves(await HistoryAsync(repository, "stable"))[0], Is.EqualTo($"admin: {second.Digest} -> {first.Digest}"));
    }

    [Test]
    public async Task RollbackToAManifestTheTagNeverHad_IsRefused()
    {
        var repository = await DockerRepositoryAsync();
        var (first, stranger) = (TestManifest.OciImage(), TestManifest.OciImage());
        await Api.ImportImageAsync(repository, first, "1.0");
        await Api.ImportImageAsync(repository, stranger);

        using var response = await Api.PostJsonAsync(
            $"/repositories/{repository}/actions/tag_rollback/", new JsonObject { ["tag"] = "1.0", ["digest"] = stranger.Digest.ToString() });

        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.BadRequest, "PLP0015", "never pointed");
    }

    [Test]
    public async Task RollbackToAManifestNoLongerInTheRepository_IsRefused()
    {
        var repository = await DockerRepositoryAsync();
        var (first, second) = (TestManifest.OciImage(), TestManifest.OciImage());
        await Api.ImportImageAsync(repository, first, "1.0");
        await Api.ImportImageAsync(repository, second, "1.0");
        using (var remove = await Api.PostJsonAsync($"/repositories/{repository}/actions/unassociate/", new JsonObject
        {
            ["criteria"] = new JsonObject
            {
                ["type_ids"] = new JsonArray("docker_manifest"),
                ["filters"] = new JsonObject { ["unit"] = new JsonObject { ["digest"] = first.Digest.ToString() } },
            },
        }))
        {
            await ContentApiClient.ReadAsync(remove, HttpStatusCode.Accepted);
        }

        using var response = await Api.PostJsonAsync($"/repositories/{repository}/actions/tag_rollback/", new JsonObject { ["tag"] = "1.0" });

        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.BadRequest, "BRT0110", first.Digest.ToString());
    }

    [Test]
    public async Task PromotionIsRecordedInTheDestination()
    {
        var (builds, staging) = (await DockerRepositoryAsync(), await DockerRepositoryAsync());
        var image = TestManifest.OciImage();
        await Api.ImportImageAsync(builds, image, "2.0");
        using (var response = await Api.PostJsonAsync($"/repositories/{staging}/actions/associate/", new JsonObject
        {
            ["source_repo_id"] = builds,
            ["criteria"] = new JsonObject { ["type_ids"] = new JsonArray("docker_tag") },
        }))
        {
            await ContentApiClient.ReadAsync(response, HttpStatusCode.Accepted);
        }

        Assert.That(Moves(await HistoryAsync(staging, "2.0")), Is.EqualTo(new[] { $"admin: none -> {image.Digest}" }));
    }

    /// <summary>Issue 18: whoever creates a repository under a deleted one's id must not read what was done in the old one.</summary>
    [Test]
    public async Task DeletingARepository_TakesItsHistory_SoThatAnotherOfTheSameIdStartsEmpty()
    {
        var repository = await DockerRepositoryAsync();
        await Api.ImportImageAsync(repository, TestManifest.OciImage(), "1.0");
        Assert.That(await HistoryAsync(repository, "1.0"), Has.Count.EqualTo(1));
        using (var deleted = await Api.Http.DeleteAsync($"{ContentApiClient.Root}/repositories/{repository}/"))
        {
            await ContentApiClient.ReadAsync(deleted, HttpStatusCode.Accepted);
        }

        var newcomer = await CreateUserAsync((repository, "pull,push,delete,admin"));
        using (var created = await ApiAs(newcomer).PostJsonAsync("/repositories/", new JsonObject { ["id"] = repository }))
        {
            await ContentApiClient.ReadAsync(created, HttpStatusCode.Created);
        }

        Assert.That((await ApiAs(newcomer).GetJsonAsync($"/repositories/{repository}/tags/1.0/history/")).AsArray(), Is.Empty);
    }

    private static string[] Moves(JsonArray history) =>
        [.. history.Select(m => $"{m!["actor"]}: {m["old_digest"]?.GetValue<string>() ?? "none"} -> {m["new_digest"]?.GetValue<string>() ?? "none"}")];

    private async Task<JsonArray> HistoryAsync(string repository, string tag) => (await Api.GetJsonAsync($"/repositories/{repository}/tags/{tag}/history/")).AsArray();
}
