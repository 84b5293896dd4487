using System.Net;
using System.Text.Json.Nodes;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Replicas;

/// <summary>
/// A sync is one task whichever server is asked, when servers share PostgreSQL and a bucket: a second request on another
/// server is answered the running task, the other server shows its progress and cancels it, and the server running it
/// stops at its next heartbeat.
/// </summary>
[NonParallelizable]
public sealed class SyncAcrossReplicasTests : FolderPerTest
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Test]
    public async Task ASyncStartedOnOneServer_IsAnsweredAndCancelledOnTheOther()
    {
        await using var storage = await TestStorage.CreateAsync(StorageBackend.PostgreSqlS3Streamed);
        await using var upstream = await ReferenceRegistry.StartAsync(Folder.Combine("upstream"));
        var name = "library/app" + Guid.NewGuid().ToString("N")[..8];
        var image = TestManifest.DockerImage(layers: 2);
        await upstream.Client.PushImageAsync(name, image, "1.0");
        await using var proxy = new UpstreamProxy(upstream.Address);
        proxy.HoldBlobs();

        await using var replicas = await ReplicaSet.StartAsync(Folder, [.. storage.Arguments]);
        var clients = replicas.CreateClientsOfEachServer();
        var (one, two) = (new ContentApiClient(clients[0]), new ContentApiClient(clients[1]));
        await one.CreateDockerRepositoryAsync("mirror");
        using (var registered = await one.PostJsonAsync("/repositories/mirror/importers/", new JsonObject
        {
            ["importer_type_id"] = "docker_sync_importer",
            ["importer_config"] = new JsonObject { ["feed"] = proxy.Address.AbsoluteUri, ["upstream_name"] = name },
        }))
        {
            await ContentApiClient.ReadAsync(registered, HttpStatusCode.Created);
        }

        var first = await StartAsync(one);
        Assert.That(await Eventually.WaitAsync(() => proxy.BlobsWaiting > 0, Bound), Is.True, "the sync reached the blobs");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await StartAsync(two), Is.EqualTo(first), "one sync per repository, whichever server is asked");
            Assert.That((await two.GetJsonAsync($"/tasks/{first}/"))["state"]!.GetValue<string>(), Is.EqualTo("running"));
        }

        using (var cancel = await two.Http.DeleteAsync($"{ContentApiClient.Root}/tasks/{first}/"))
        {
            Assert.That(cancel.StatusCode, Is.EqualTo(HttpStatusCode.OK), await cancel.Content.ReadAsStringAsync());
        }

        JsonNode task = new JsonObject();
        Assert.That(
            await Eventually.WaitAsync(async () => (task = await one.GetJsonAsync($"/tasks/{first}/"))["state"]!.GetValue<string>() == "canceled", Bound),
            Is.True,
            task.ToJsonString());

        proxy.ReleaseBlobs();
        var second = await StartAsync(two);
        Assert.That(
            await Eventually.WaitAsync(async () => (task = await one.GetJsonAsync($"/tasks/{second}/"))["state"]!.GetValue<string>() == "finished", Bound),
            Is.True,
            task.ToJsonString());
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/mirror/manifests/1.0");
        request.Headers.Accept.ParseAdd(image.MediaType);
        using var manifest = await clients[0].SendAsync(request);
        Assert.That(await manifest.Content.ReadAsByteArrayAsync(), Is.EqualTo(image.Bytes));
        foreach (var client in clients)
        {
            client.Dispose();
        }
    }

    private static async Task<string> StartAsync(ContentApiClient api)
    {
        using var response = await api.PostJsonAsync("/repositories/mirror/actions/sync/", "{}");
        return (await ContentApiClient.ReadAsync(response, HttpStatusCode.Accepted))["spawned_tasks"]![0]!["task_id"]!.GetValue<string>();
    }
}
