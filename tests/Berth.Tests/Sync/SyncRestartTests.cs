using System.Net;
using System.Text.Json.Nodes;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Sync;

/// <summary>
/// Tasks outlive their server as records: a sync running when its server is killed, or stopped, ends in error saying
/// what to do (on the embedded store at the next start; on PostgreSQL once its heartbeat is older than the timeout, which
/// another server could notice as well), and the next sync picks up and finishes.
/// </summary>
[NonParallelizable]
[TestFixture(StorageBackend.Default)]
[TestFixture(StorageBackend.PostgreSql)]
public sealed class SyncRestartTests(StorageBackend backend) : FolderPerTest
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Test]
    public async Task ASyncRunningWhenTheServerIsKilled_EndsInError_AndTheNextOneFinishes() =>
        await InterruptAsync(server => server.KillAsync(), "stopped before it ended");

    [Test]
    public async Task ASyncRunningWhenTheServerStops_EndsInError_AndTheNextOneFinishes() =>
        await InterruptAsync(server => server.StopAsync(), "stopped while this task ran");

    private async Task InterruptAsync(Func<ServerProcess, Task> interrupt, string said)
    {
        await using var storage = await TestStorage.CreateAsync(backend);
        await using var upstream = await ReferenceRegistry.StartAsync(Folder.Combine("upstream"));
        var name = "library/app" + Guid.NewGuid().ToString("N")[..8];
        var image = TestManifest.DockerImage(layers: 2);
        await upstream.Client.PushImageAsync(name, image, "1.0");
        await using var proxy = new UpstreamProxy(upstream.Address);
        proxy.HoldBlobs();

        string[] arguments = ["--data-dir", Folder.Combine("data"), "--Berth:Tasks:HeartbeatTimeout=00:00:02", .. storage.Arguments];
        string taskId;
        await using (var first = await ServerProcess.StartAsync(Folder.Path, arguments))
        {
            var api = new ContentApiClient(first.CreateClient());
            await api.CreateDockerRepositoryAsync("mirror");
            using (var registered = await api.PostJsonAsync("/repositories/mirror/importers/", new JsonObject
            {
                ["importer_type_id"] = "docker_sync_importer",
                ["importer_config"] = new JsonObject { ["feed"] = proxy.Address.AbsoluteUri, ["upstream_name"] = name },
            }))
            {
                await ContentApiClient.ReadAsync(registered, HttpStatusCode.Created);
            }

            using var started = await api.PostJsonAsync("/repositories/mirror/actions/sync/", "{}");
            taskId = (await ContentApiClient.ReadAsync(started, HttpStatusCode.Accepted))["spawned_tasks"]![0]!["task_id"]!.GetValue<string>();
            Assert.That(await Eventually.WaitAsync(() => proxy.BlobsWaiting > 0, Bound), Is.True, "the sync reached the blobs");
            await interrupt(first);
        }

        await using var second = await ServerProcess.StartAsync(Folder.Path, arguments);
        var again = new ContentApiClient(second.CreateClient());
        JsonNode task = new JsonObject();
        Assert.That(
            await Eventually.WaitAsync(async () => (task = await again.GetJsonAsync($"/tasks/{taskId}/"))["state"]!.GetValue<string>() == "error", Bound),
            Is.True,
            task.ToJsonString());
        using (Assert.EnterMultipleScope())
        {
            Assert.That(task["error"]!["description"]!.GetValue<string>(), Does.Contain(said).And.Contain("start it again"));
            Assert.That(task["finish_time"], Is.Not.Null);
        }

        proxy.ReleaseBlobs();
        using var restarted = await again.PostJsonAsync("/repositories/mirror/actions/sync/", "{}");
        var next = (await ContentApiClient.ReadAsync(restarted, HttpStatusCode.Accepted))["spawned_tasks"]![0]!["task_id"]!.GetValue<string>();
        Assert.That(next, Is.Not.EqualTo(taskId));
        Assert.That(
            await Eventually.WaitAsync(async () => (task = await again.GetJsonAsync($"/tasks/{next}/"))["state"]!.GetValue<string>() == "finished", Bound),
            Is.True,
            task.ToJsonString());
        Assert.That(task["result"]!["tags_added"]!.AsArray().Select(t => t!.GetValue<string>()), Is.EqualTo(new[] { "1.0" }));
    }
}
