using System.Net;
using System.Text.Json.Nodes;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Events;

/// <summary>Berth's own changes, which no registry client makes, are events too: each in the order it happened (issue 14, events).</summary>
[NonParallelizable]
public sealed class BerthEventTests : FolderPerTest
{
    [Test]
    public async Task ImportRollbackTagMovePromotionRetentionRemovalAndOrphanCollection_EachGiveTheirEvent_InOrder()
    {
        await using var listener = await EventListener.StartAsync();
        await using var server = await EventServer.StartAsync(
            Folder.Path, Folder.Combine("data"), [.. EventServer.Endpoint(0, listener), "--Berth:Lifecycle:OrphanGracePeriod=00:00:00"]);
        var api = new ContentApiClient(server.CreateClient());
        await api.CreateDockerRepositoryAsync("source");
        await api.CreateDockerRepositoryAsync("destination");
        var (first, second) = (TestManifest.DockerImage(layers: 1), TestManifest.DockerImage(layers: 1));

        await api.ImportImageAsync("source", first, "stable");
        await api.ImportImageAsync("source", second, "stable");
        await PostAsync(api, "/repositories/source/actions/tag_rollback/", new JsonObject { ["tag"] = "stable" });
        using (var tag = await api.ImportAsync(
            "source", null, "docker_tag", new JsonObject { ["name"] = "latest" }, new JsonObject { ["manifest_digest"] = first.Digest.ToString() }))
        {
            await ContentApiClient.ReadAsync(tag, HttpStatusCode.Accepted);
        }

        await PostAsync(api, "/repositories/destination/actions/associate/", new JsonObject
        {
            ["source_repo_id"] = "source",
            ["criteria"] = new JsonObject { ["type_ids"] = new JsonArray("docker_tag") },
        }, HttpStatusCode.Accepted);
        using (var policy = await api.Http.PutAsync(
            $"{ContentApiClient.Root}/repositories/source/retention/", new StringContent("""{"untagged_older_than_seconds": 0}""", System.Text.Encoding.UTF8, "application/json")))
        {
            await ContentApiClient.ReadAsync(policy, HttpStatusCode.OK);
        }

        await PostAsync(api, "/repositories/source/actions/apply_retention/", new JsonObject());
        await api.UnassociateAllAsync("destination");
        using (var collect = await api.Http.DeleteAsync($"{ContentApiClient.Root}/content/orphans/"))
        {
            await ContentApiClient.ReadAsync(collect, HttpStatusCode.Accepted);
        }

        Assert.That(
            await Eventually.WaitAsync(() => listener.Accepted.Any(e => Action(e) == "orphancollection"), EventServer.Bound),
            Is.True,
            string.Join(", ", listener.Accepted.Select(Action)));
        var events = listener.Accepted;
        var rollback = events.Single(e => Action(e) == "rollback");
        var promotions = events.Where(e => Action(e) == "promote").ToList();
        var retention = events.Single(e => Action(e) == "retention");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(
                Collapsed(events.Select(Action)),
                Is.EqualTo(new[] { "import", "rollback", "tagmove", "promote", "retention", "remove", "orphancollection" }));
            Assert.That(events.Count(e => Action(e) == "import"), Is.EqualTo(first.Blobs.Count + second.Blobs.Count + 2));
            Assert.That(rollback["target"]!["tag"]!.GetValue<string>(), Is.EqualTo("stable"));
            Assert.That(rollback["target"]!["digest"]!.GetValue<string>(), Is.EqualTo(first.Digest.ToString()));
            Assert.That(rollback["target"]!["repository"]!.GetValue<string>(), Is.EqualTo("source"));
            Assert.That(promotions.Select(e => e["target"]!["fromRepository"]!.GetValue<string>()), Is.All.EqualTo("source"));
            Assert.That(promotions.Select(e => e["target"]!["repository"]!.GetValue<string>()), Is.All.EqualTo("destination"));
            Assert.That(retention["target"]!["units"]!.GetValue<long>(), Is.GreaterThan(0));
            Assert.That(events.Single(e => Action(e) == "orphancollection")["target"]!["bytesFreed"]!.GetValue<long>(), Is.GreaterThan(0));
        }

        Assert.That(await server.DrainErrorsAsync(), Is.Empty);
    }

    private static async Task PostAsync(ContentApiClient api, string path, JsonObject body, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await api.PostJsonAsync(path, body);
        await ContentApiClient.ReadAsync(response, expected);
    }

    private static string Action(JsonObject notification) => notification["action"]!.GetValue<string>();

    private static List<string> Collapsed(IEnumerable<string> actions)
    {
        var collapsed = new List<string>();
        foreach (var action in actions)
        {
            if (collapsed.Count == 0 || collapsed[^1] != action)
            {
                collapsed.Add(action);
            }
        }

        return collapsed;
    }
}
