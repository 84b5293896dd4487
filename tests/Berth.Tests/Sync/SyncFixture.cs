using System.Net;
using System.Text.Json.Nodes;
using Berth.Tests.Access;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Sync;

/// <summary>
/// A server and, beside it, the reference registry as the upstream to sync from, with helpers to make a repository that
/// syncs, to sync it and to wait for its task.
/// </summary>
public abstract class SyncFixture(ServerKind kind = ServerKind.InProcess, StorageBackend backend = StorageBackend.Default) : AccessFixture(kind, backend)
{
    // A sync of a few small images takes well under a second; the bound only keeps a stuck task from hanging the run.
    protected static readonly TimeSpan TaskBound = TimeSpan.FromSeconds(60);

    private TempFolder? _upstreamFolder;

    protected ReferenceRegistry Upstream { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task StartUpstream()
    {
        _upstreamFolder = new TempFolder();
        Upstream = await ReferenceRegistry.StartAsync(_upstreamFolder.Path);
    }

    [OneTimeTearDown]
    public async Task StopUpstream()
    {
        if (Upstream is not null)
        {
            await Upstream.DisposeAsync();
        }

        _upstreamFolder?.Dispose();
    }

    protected static string NewUpstreamName() => "library/app" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>
    /// A repository with both docker importers and the sync importer, configured with <paramref name="config"/>, made as
    /// Pulp 2's clients make one: <c>docker_importer</c> and the config in one call.
    /// </summary>
    protected async Task<string> SyncedRepositoryAsync(JsonObject config, ContentApiClient? api = null)
    {
        api ??= Api;
        var id = NewRepositoryId();
        using var created = await api.PostJsonAsync("/repositories/", new JsonObject { ["id"] = id, ["importer_type_id"] = "docker_importer", ["importer_config"] = config });
        await ContentApiClient.ReadAsync(created, HttpStatusCode.Created);
        return id;
    }

    /// <summary>A sync importer's config naming the upstream repository; <c>new JsonObject(FeedOf(...)) { ... }</c> adds to it.</summary>
    protected KeyValuePair<string, JsonNode?>[] FeedOf(string upstreamName, Uri? feed = null) =>
        [new("feed", (feed ?? Upstream.Address).AbsoluteUri), new("upstream_name", upstreamName)];

    protected Task<string> SyncedRepositoryAsync(KeyValuePair<string, JsonNode?>[] config) => SyncedRepositoryAsync(new JsonObject(config));

    /// <summary>Starts a sync as Pulp 2's clients do, checks the call report's shape, and answers the task's id.</summary>
    protected async Task<string> StartSyncAsync(string repository, JsonObject? body = null, ContentApiClient? api = null)
    {
        using var response = await (api ?? Api).PostJsonAsync($"/repositories/{repository}/actions/sync/", body ?? []);
        var report = await ContentApiClient.ReadAsync(response, HttpStatusCode.Accepted);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(report["result"], Is.Null);
            Assert.That(report["error"], Is.Null);
            Assert.That(report["spawned_tasks"]!.AsArray(), Has.Count.EqualTo(1));
        }

        var spawned = report["spawned_tasks"]![0]!;
        var id = spawned["task_id"]!.GetValue<string>();
        Assert.That(spawned["_href"]!.GetValue<string>(), Is.EqualTo($"/pulp/api/v2/tasks/{id}/"));
        return id;
    }

    /// <summary>Polls a task, as Pulp 2's clients do, until it ends; answers it.</summary>
    protected async Task<JsonObject> WaitForTaskAsync(string taskId, ContentApiClient? api = null)
    {
        JsonObject task = [];
        var ended = await Eventually.WaitAsync(
            async () =>
            {
                task = (await (api ?? Api).GetJsonAsync($"/tasks/{taskId}/")).AsObject();
                return task["state"]!.GetValue<string>() is "finished" or "error" or "canceled";
            },
            TaskBound);
        Assert.That(ended, Is.True, $"task {taskId} did not end within {TaskBound.TotalSeconds} s: {task.ToJsonString()}");
        return task;
    }

    protected async Task<JsonObject> SyncToEndAsync(string repository, JsonObject? body = null) =>
        await WaitForTaskAsync(await StartSyncAsync(repository, body));

    protected static JsonObject Finished(JsonObject task)
    {
        Assert.That(task["state"]!.GetValue<string>(), Is.EqualTo("finished"), task.ToJsonString());
        return task["result"]!.AsObject();
    }

    protected static string[] Names(JsonNode? list) => [.. list!.AsArray().Select(n => n!.GetValue<string>())];

    /// <summary>The digest a tag of a Berth repository points at, read through the registry API; null when it has no such tag.</summary>
    protected async Task<string?> TagDigestAsync(string repository, string tag)
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, $"/v2/{repository}/manifests/{tag}");
        request.Headers.Accept.ParseAdd("application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json");
        using var response = await Api.Http.SendAsync(request);
        return response.StatusCode == HttpStatusCode.NotFound ? null : RegistryClient.Header(response, "Docker-Content-Digest");
    }

    protected async Task<JsonObject> CountsAsync(string repository) =>
        (await Api.GetJsonAsync($"/repositories/{repository}/"))["content_unit_counts"]!.AsObject();
}
