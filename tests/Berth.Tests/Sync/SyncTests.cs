using System.Net;
using System.Text.Json.Nodes;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Sync;

/// <summary>
/// Syncing a repository from the reference registry through <c>docker_sync_importer</c>, as Pulp 2's clients drive it:
/// the sync action answers 202 with the task to poll, the task ends with what was brought, and what it brought is served
/// by the registry API exactly as upstream served it. Tags, manifests, lists and blobs all pass the docker importers.
/// </summary>
/// <remarks>
/// On the run's stores (<c>BERTH_TEST_STORAGE</c>); in the default run PostgreSQL's side of syncs is the task store's
/// contract, <see cref="SyncRestartTests"/> and the replica test.
/// </remarks>
public sealed class SyncTests() : SyncFixture(ServerKind.InProcess)
{
    [Test]
    public async Task Sync_BringsEveryTag_AsUpstreamServesIt()
    {
        var name = NewUpstreamName();
        var (one, two, amd, arm) = (TestManifest.DockerImage(), TestManifest.OciImage(layers: 2), TestManifest.DockerImage(layers: 1), TestManifest.DockerImage(layers: 1, architecture: "arm64"));
        var list = TestManifest.DockerList(amd, arm);
        var upstream = Upstream.Client;
        await upstream.PushImageAsync(name, one, "1.0");
        await upstream.PushImageAsync(name, two, "2.0");
        await upstream.PushImageAsync(name, two, "latest");
        await upstream.PushImageAsync(name, amd);
        await upstream.PushImageAsync(name, arm);
        await upstream.PushImageAsync(name, list, "multi");
        var repository = await SyncedRepositoryAsync(FeedOf(name));

        var taskId = await StartSyncAsync(repository);
        var task = await WaitForTaskAsync(taskId);
        var result = Finished(task);
        var blobs = new[] { one, two, amd, arm }.SelectMany(m => m.Blobs).Select(b => b.Digest).Distinct().Count();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Names(result["tags_added"]), Is.EqualTo(new[] { "1.0", "2.0", "latest", "multi" }));
            Assert.That(result["manifests_added"]!.GetValue<long>(), Is.EqualTo(5), "four manifests and the list");
            Assert.That(result["blobs_downloaded"]!.GetValue<long>(), Is.EqualTo(blobs));
            Assert.That(task["task_type"]!.GetValue<string>(), Is.EqualTo("pulp.server.managers.repo.sync.sync"));
            Assert.That(Names(task["tags"]), Is.EqualTo(new[] { $"pulp:repository:{repository}", "pulp:action:sync" }));
            Assert.That(task["start_time"]!.GetValue<DateTimeOffset>(), Is.LessThanOrEqualTo(task["finish_time"]!.GetValue<DateTimeOffset>()));
            Assert.That(task["error"], Is.Null);
            var progress = task["progress_report"]!["docker_sync_importer"]!;
            Assert.That(progress["tags"]!["total"]!.GetValue<long>(), Is.EqualTo(4));
            Assert.That(progress["tags"]!["done"]!.GetValue<long>(), Is.EqualTo(4));
            Assert.That(progress["blobs"]!["done"]!.GetValue<long>(), Is.EqualTo(blobs));
            Assert.That(progress["bytes"]!.GetValue<long>(), Is.EqualTo(new[] { one, two, amd, arm }.SelectMany(m => m.Blobs).DistinctBy(b => b.Digest).Sum(b => b.Bytes.LongLength)));
            Assert.That(await TagDigestAsync(repository, "1.0"), Is.EqualTo(one.Digest.ToString()));
            Assert.That(await TagDigestAsync(repository, "latest"), Is.EqualTo(two.Digest.ToString()));
            Assert.That(await TagDigestAsync(repository, "multi"), Is.EqualTo(list.Digest.ToString()));
        }

        // The exact bytes, through the registry API.
        using var manifest = await Api.Http.GetAsync($"/v2/{repository}/manifests/{list.Digest}");
        Assert.That(await manifest.Content.ReadAsByteArrayAsync(), Is.EqualTo(list.Bytes));
        foreach (var blob in arm.Blobs)
        {
            using var response = await Api.Http.GetAsync($"/v2/{repository}/blobs/{blob.Digest}");
            Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(blob.Bytes), blob.Digest.ToString());
        }
    }

    [Test]
    public async Task SyncAgain_DownloadsNothingUnchanged_AndMovesWhatUpstreamMoved()
    {
        var name = NewUpstreamName();
        var (one, two) = (TestManifest.DockerImage(), TestManifest.DockerImage());
        await Upstream.Client.PushImageAsync(name, one, "1.0");
        await Upstream.Client.PushImageAsync(name, two, "2.0");
        await using var proxy = new UpstreamProxy(Upstream.Address);
        var repository = await SyncedRepositoryAsync(FeedOf(name, proxy.Address));
        Finished(await SyncToEndAsync(repository));

        proxy.Forget();
        var again = Finished(await SyncToEndAsync(repository));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(again["tags_unchanged"]!.GetValue<long>(), Is.EqualTo(2));
            Assert.That(Names(again["tags_added"]), Is.Empty);
            Assert.That(again["blobs_downloaded"]!.GetValue<long>(), Is.Zero);
            Assert.That(proxy.Count("GET", "/blobs/"), Is.Zero, string.Join('\n', proxy.Requests));
            Assert.That(proxy.Count("GET", "/manifests/"), Is.EqualTo(2), "one request per tag, and nothing else");
        }

        // Upstream moves 2.0 to a new image that shares one's config: only what is new comes.
        var three = TestManifest.DockerImage(layers: 1);
        await Upstream.Client.PushImageAsync(name, three, "2.0");
        proxy.Forget();
        var moved = Finished(await SyncToEndAsync(repository));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Names(moved["tags_moved"]), Is.EqualTo(new[] { "2.0" }));
            Assert.That(moved["tags_unchanged"]!.GetValue<long>(), Is.EqualTo(1));
            Assert.That(proxy.Count("GET", "/blobs/"), Is.EqualTo(three.Blobs.Count(b => !one.Blobs.Concat(two.Blobs).Any(o => o.Digest == b.Digest))));
            Assert.That(await TagDigestAsync(repository, "2.0"), Is.EqualTo(three.Digest.ToString()));
            Assert.That(await TagDigestAsync(repository, "1.0"), Is.EqualTo(one.Digest.ToString()));
        }
    }

    [Test]
    public async Task TagFilters_BringOnlyWhatTheyName_AndPlainTagsAreAskedForByName()
    {
        var name = NewUpstreamName();
        var image = TestManifest.DockerImage(layers: 1);
        foreach (var tag in new[] { "1.0", "1.1", "1.1-rc", "2.0", "latest" })
        {
            await Upstream.Client.PushImageAsync(name, image, tag);
        }

        var globbed = await SyncedRepositoryAsync(new JsonObject(FeedOf(name)) { ["tags"] = new JsonObject { ["include"] = new JsonArray("1.*", "latest"), ["exclude"] = new JsonArray("*-rc") } });
        Assert.That(Names(Finished(await SyncToEndAsync(globbed))["tags_added"]), Is.EqualTo(new[] { "1.0", "1.1", "latest" }));

        // Plain tags: fetched by name, never by paging through the upstream's tag list; one upstream lacks is reported.
        await using var proxy = new UpstreamProxy(Upstream.Address);
        var named = await SyncedRepositoryAsync(new JsonObject(FeedOf(name, proxy.Address)) { ["tags"] = new JsonObject { ["include"] = new JsonArray("2.0", "9.9") } });
        var result = Finished(await SyncToEndAsync(named));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Names(result["tags_added"]), Is.EqualTo(new[] { "2.0" }));
            Assert.That(Names(result["tags_missing"]), Is.EqualTo(new[] { "9.9" }));
            Assert.That(proxy.Count("GET", "/tags/list"), Is.Zero, string.Join('\n', proxy.Requests));
        }

        // override_config narrows one sync without changing the registration.
        var overridden = await SyncedRepositoryAsync(FeedOf(name));
        var once = Finished(await SyncToEndAsync(overridden, new JsonObject { ["override_config"] = new JsonObject { ["tags"] = new JsonObject { ["include"] = new JsonArray("latest") } } }));
        Assert.That(Names(once["tags_added"]), Is.EqualTo(new[] { "latest" }));
        Assert.That(Names(Finished(await SyncToEndAsync(overridden))["tags_added"]), Is.EqualTo(new[] { "1.0", "1.1", "1.1-rc", "2.0" }));
    }

    [Test]
    public async Task Mirror_RemovesTheTagsUpstreamDropped_WithWhatOnlyTheyNamed_AndNothingElse()
    {
        var name = NewUpstreamName();
        var (kept, dropped) = (TestManifest.DockerImage(layers: 1), TestManifest.DockerImage(layers: 2));
        await Upstream.Client.PushImageAsync(name, kept, "v1");
        await Upstream.Client.PushImageAsync(name, dropped, "v2");
        var mirrored = await SyncedRepositoryAsync(new JsonObject(FeedOf(name)) { ["mirror"] = true, ["tags"] = new JsonObject { ["include"] = new JsonArray("v*") } });
        var additive = await SyncedRepositoryAsync(FeedOf(name));
        Finished(await SyncToEndAsync(mirrored));
        Finished(await SyncToEndAsync(additive));

        // A tag pushed here that the filter does not select is not the mirror's to remove.
        var local = TestManifest.DockerImage(layers: 1);
        await new RegistryClient(Api.Http).PushImageAsync(mirrored, local, "mine");

        using (var deleted = await Upstream.Client.Http.DeleteAsync($"/v2/{name}/manifests/{dropped.Digest}"))
        {
            Assert.That(deleted.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await deleted.Content.ReadAsStringAsync());
        }

        var result = Finished(await SyncToEndAsync(mirrored));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Names(result["tags_removed"]), Is.EqualTo(new[] { "v2" }));
            Assert.That(result["units_removed"]!.GetValue<long>(), Is.EqualTo(1 + 1 + dropped.Blobs.Count), "the tag, its manifest and the blobs only it needed");
            Assert.That(await TagDigestAsync(mirrored, "v2"), Is.Null);
            Assert.That(await TagDigestAsync(mirrored, "v1"), Is.EqualTo(kept.Digest.ToString()));
            Assert.That(await TagDigestAsync(mirrored, "mine"), Is.EqualTo(local.Digest.ToString()));
            Assert.That((await CountsAsync(mirrored))["docker_blob"]!.GetValue<long>(), Is.EqualTo(kept.Blobs.Count + local.Blobs.Count));
        }

        // Without mirror, a sync only adds.
        var again = Finished(await SyncToEndAsync(additive));
        Assert.That(Names(again["tags_removed"]), Is.Empty);
        Assert.That(await TagDigestAsync(additive, "v2"), Is.EqualTo(dropped.Digest.ToString()));
    }

    [Test]
    public async Task Referrers_ComeThroughTheTagSchema_WhereUpstreamHasNoReferrersApi()
    {
        var name = NewUpstreamName();
        var image = TestManifest.DockerImage(layers: 1);
        var sbom = TestManifest.OciArtifact(image);
        await Upstream.Client.PushImageAsync(name, image, "1.0");
        await Upstream.Client.PushImageAsync(name, sbom);

        // What oras and cosign keep where a registry has no referrers API: an index under the subject's digest as a tag.
        var schema = TestManifest.OciIndex(sbom);
        using (var tagged = await Upstream.Client.PutManifestAsync(name, $"sha256-{image.Digest.Encoded}", schema.Bytes, schema.MediaType))
        {
            Assert.That(tagged.StatusCode, Is.EqualTo(HttpStatusCode.Created), await tagged.Content.ReadAsStringAsync());
        }

        var config = (bool referrers) => new JsonObject(FeedOf(name)) { ["referrers"] = referrers, ["tags"] = new JsonObject { ["include"] = new JsonArray("1.0") } };
        var without = await SyncedRepositoryAsync(config(false));
        var with = await SyncedRepositoryAsync(config(true));
        Finished(await SyncToEndAsync(without));
        var result = Finished(await SyncToEndAsync(with));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(result["referrers_added"]!.GetValue<long>(), Is.EqualTo(1));
            Assert.That(await ReferrersAsync(with, image), Is.EqualTo(new[] { sbom.Digest.ToString() }));
            Assert.That(await ReferrersAsync(without, image), Is.Empty, "referrers come only when asked for");
            Assert.That(Finished(await SyncToEndAsync(with))["referrers_added"]!.GetValue<long>(), Is.Zero, "held already");
        }
    }

    private async Task<string[]> ReferrersAsync(string repository, TestManifest subject)
    {
        using var response = await Api.Http.GetAsync($"/v2/{repository}/referrers/{subject.Digest}");
        var index = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        return [.. index["manifests"]!.AsArray().Select(m => m!["digest"]!.GetValue<string>())];
    }

    [Test]
    public async Task BlobsTheServerHolds_AreAssociated_NotDownloaded()
    {
        var name = NewUpstreamName();
        var image = TestManifest.DockerImage(layers: 3);
        await Upstream.Client.PushImageAsync(name, image, "1.0");
        var pushed = await DockerRepositoryAsync();
        await new RegistryClient(Api.Http).PushImageAsync(pushed, image, "mine");

        await using var proxy = new UpstreamProxy(Upstream.Address);
        var repository = await SyncedRepositoryAsync(FeedOf(name, proxy.Address));
        var result = Finished(await SyncToEndAsync(repository));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(result["blobs_downloaded"]!.GetValue<long>(), Is.Zero);
            Assert.That(result["blobs_present"]!.GetValue<long>(), Is.EqualTo(image.Blobs.Count));
            Assert.That(proxy.Count("GET", "/blobs/"), Is.Zero);
            Assert.That((await CountsAsync(repository))["docker_blob"]!.GetValue<long>(), Is.EqualTo(image.Blobs.Count), "associated with the synced repository");
        }
    }

    [Test]
    public async Task AnUpstreamBlobThatFailsItsDigest_FailsTheSync_AndLeavesNothing()
    {
        var name = NewUpstreamName();
        var (good, bad) = (TestManifest.DockerImage(layers: 1), TestManifest.DockerImage(layers: 2));
        await Upstream.Client.PushImageAsync(name, good, "good");
        await Upstream.Client.PushImageAsync(name, bad, "bad");
        var tampered = bad.Blobs[^1];
        var path = Upstream.BlobPath(tampered.Digest);
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[^1] ^= 0xff;
        await File.WriteAllBytesAsync(path, bytes);

        var repository = await SyncedRepositoryAsync(new JsonObject(FeedOf(name)) { ["max_concurrent_downloads"] = 1 });
        var task = await SyncToEndAsync(repository);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(task["state"]!.GetValue<string>(), Is.EqualTo("error"), task.ToJsonString());
            Assert.That(task["error"]!["code"]!.GetValue<string>(), Is.EqualTo("BRT0106"));
            Assert.That(task["error"]!["description"]!.GetValue<string>(), Does.Contain(tampered.Digest.ToString()));
            Assert.That(task["result"], Is.Null);
            Assert.That(await TagDigestAsync(repository, "bad"), Is.Null);
            Assert.That(await IsStoredAsync(tampered.Digest.ToString()), Is.False, "no byte of it reached content storage");
        }

        // The image in error left nothing in the repository: what it had brought before the bad blob went with it.
        var units = await Api.SearchUnitsAsync(repository);
        var held = units.Select(u => u!["metadata"]!["digest"]?.GetValue<string>()).OfType<string>().ToHashSet();
        Assert.That(held.Overlaps(bad.Blobs.Select(b => b.Digest.ToString()).Append(bad.Digest.ToString()).Except(good.Blobs.Select(b => b.Digest.ToString()))), Is.False, string.Join(", ", held));
    }

    [Test]
    public async Task AManifestNamingABlobUpstreamLacks_FailsTheSync_NamingIt()
    {
        var name = NewUpstreamName();
        var image = TestManifest.DockerImage(layers: 2);
        await Upstream.Client.PushImageAsync(name, image, "1.0");
        var lost = image.Blobs[^1];
        File.Delete(Upstream.BlobPath(lost.Digest));

        var repository = await SyncedRepositoryAsync(FeedOf(name));
        var task = await SyncToEndAsync(repository);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(task["state"]!.GetValue<string>(), Is.EqualTo("error"), task.ToJsonString());
            Assert.That(task["error"]!["code"]!.GetValue<string>(), Is.EqualTo("BRT0112"));
            Assert.That(task["error"]!["description"]!.GetValue<string>(), Does.Contain(lost.Digest.ToString()).And.Contain(name));
            Assert.That((await CountsAsync(repository)).Count, Is.Zero, (await CountsAsync(repository)).ToJsonString());
        }
    }

    [Test]
    public async Task ABlobCutOffMidway_IsResumedFromWhereItBroke_AndBusyAnswersAreRetried()
    {
        var name = NewUpstreamName();
        var image = TestManifest.DockerImage(layers: 1, layerSize: 200_000);
        await Upstream.Client.PushImageAsync(name, image, "1.0");
        await using var proxy = new UpstreamProxy(Upstream.Address);
        var repository = await SyncedRepositoryAsync(new JsonObject(FeedOf(name, proxy.Address)) { ["max_concurrent_downloads"] = 1 });

        // Two 503s before the first request gets through, then the first blob's connection is reset after 64 KiB.
        proxy.FailNext(2, HttpStatusCode.ServiceUnavailable);
        proxy.CutNextBlobAfter(65_536);
        var result = Finished(await SyncToEndAsync(repository));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(result["blobs_downloaded"]!.GetValue<long>(), Is.EqualTo(image.Blobs.Count));
            Assert.That(proxy.Requests.Where(r => r.Contains("bytes=65536-", StringComparison.Ordinal)), Has.Exactly(1).Items, string.Join('\n', proxy.Requests));
            Assert.That(await TagDigestAsync(repository, "1.0"), Is.EqualTo(image.Digest.ToString()));
        }

        foreach (var blob in image.Blobs)
        {
            using var response = await Api.Http.GetAsync($"/v2/{repository}/blobs/{blob.Digest}");
            Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(blob.Bytes), blob.Digest.ToString());
        }
    }

    [Test]
    public async Task AnUnreachableFeed_FailsTheTask_SayingWhatToCheck()
    {
        var repository = await SyncedRepositoryAsync(FeedOf(NewUpstreamName(), new Uri($"http://127.0.0.1:{LoopbackPorts.Take()}")));
        var task = await SyncToEndAsync(repository);
        Assert.That(task["state"]!.GetValue<string>(), Is.EqualTo("error"));
        Assert.That(task["error"]!["code"]!.GetValue<string>(), Is.EqualTo("BRT0112"));
        Assert.That(task["error"]!["description"]!.GetValue<string>(), Does.Contain("importer_config.feed"));
    }

    [Test]
    public async Task ASyncWithoutAFeed_EndsInError_NamingTheKeysToSet()
    {
        var repository = await SyncedRepositoryAsync([]);
        var task = await SyncToEndAsync(repository);
        Assert.That(task["state"]!.GetValue<string>(), Is.EqualTo("error"));
        Assert.That(task["error"]!["description"]!.GetValue<string>(), Does.Contain("importer_config.feed").And.Contain("importer_config.upstream_name"));
        Assert.That(Names(task["error"]!["data"]!["keys"]), Is.EqualTo(new[] { "feed", "upstream_name" }));
    }

    [Test]
    public async Task ARepositoryWithoutASyncImporter_IsRefused_SayingWhatToRegister()
    {
        var repository = await DockerRepositoryAsync();
        using var response = await Api.PostJsonAsync($"/repositories/{repository}/actions/sync/", "{}");
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.BadRequest, "PLP0015", "docker_sync_importer");
        Assert.That(await Api.GetJsonAsync($"/tasks/?repository={repository}"), Is.Empty.Or.Property("Count").EqualTo(0));
    }

    [Test]
    public async Task ABadConfig_IsRefusedAtRegistration_NamingEveryBadKey()
    {
        var repository = await DockerRepositoryAsync();
        var config = new JsonObject
        {
            ["feed"] = "ftp://registry.example.com",
            ["upstream_name"] = "Not/A/Name",
            ["tags"] = new JsonObject { ["include"] = "latest" },
            ["max_concurrent_downloads"] = 0,
            ["password"] = "only-a-password",
            ["colour"] = "blue",
        };
        using var response = await Api.PostJsonAsync($"/repositories/{repository}/importers/", new JsonObject { ["importer_type_id"] = "docker_sync_importer", ["importer_config"] = config });
        var error = await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.BadRequest, "BRT0101", "feed", "upstream_name", "tags.include", "max_concurrent_downloads", "username", "colour");
        Assert.That(Names(error["error"]!["data"]!["keys"]), Is.EquivalentTo(new[] { "colour", "feed", "upstream_name", "tags", "max_concurrent_downloads", "username" }));
        Assert.That(error.ToJsonString(), Does.Not.Contain("only-a-password"));
        Assert.That((await Api.GetJsonAsync($"/repositories/{repository}/importers/")).AsArray().Select(i => i!["id"]!.GetValue<string>()), Does.Not.Contain("docker_sync_importer"));
    }

    [Test]
    public async Task ThePasswordIsShownNowhere()
    {
        const string Secret = "upstream-secret-4711";
        var repository = await SyncedRepositoryAsync(new JsonObject(FeedOf(NewUpstreamName())) { ["username"] = "robot", ["password"] = Secret });
        using (var changed = await Api.Http.PutAsync(
            $"{ContentApiClient.Root}/repositories/{repository}/importers/docker_sync_importer/",
            new StringContent(new JsonObject { ["importer_config"] = new JsonObject { ["password"] = Secret + "-2" } }.ToJsonString(), System.Text.Encoding.UTF8, "application/json")))
        {
            var report = await ContentApiClient.ReadAsync(changed, HttpStatusCode.OK);
            Assert.That(report.ToJsonString(), Does.Not.Contain(Secret));
            Assert.That(report["result"]!["config"]!["username"]!.GetValue<string>(), Is.EqualTo("robot"));
        }

        foreach (var path in new[] { $"/repositories/{repository}/importers/", $"/repositories/{repository}/importers/docker_sync_importer/", $"/repositories/{repository}/?details=true", "/repositories/?importers=true" })
        {
            Assert.That((await Api.GetJsonAsync(path)).ToJsonString(), Does.Not.Contain(Secret), path);
        }

        Assert.That(Host.DataDir, Is.Not.Empty);
        foreach (var log in Directory.EnumerateFiles(Host.DataDir, "audit*", SearchOption.AllDirectories))
        {
            Assert.That(await File.ReadAllTextAsync(log), Does.Not.Contain(Secret), log);
        }
    }

    [Test]
    public async Task ASecondSyncWhileOneRuns_IsAnsweredTheRunningTask_AndCancellingEndsIt()
    {
        var name = NewUpstreamName();
        var image = TestManifest.DockerImage(layers: 2);
        await Upstream.Client.PushImageAsync(name, image, "1.0");
        await using var proxy = new UpstreamProxy(Upstream.Address);
        proxy.HoldBlobs();
        var repository = await SyncedRepositoryAsync(FeedOf(name, proxy.Address));

        var first = await StartSyncAsync(repository);
        Assert.That(await Eventually.WaitAsync(() => proxy.BlobsWaiting > 0, TaskBound), Is.True, "the sync reached the blobs");
        JsonNode running = new JsonObject();
        var reported = await Eventually.WaitAsync(
            async () => (running = await Api.GetJsonAsync($"/tasks/{first}/"))["progress_report"]?["docker_sync_importer"]?["step"]?.GetValue<string>() == "importing",
            TaskBound);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(reported, Is.True, "the running task shows its progress: " + running.ToJsonString());
            Assert.That(running["state"]!.GetValue<string>(), Is.EqualTo("running"));
            Assert.That(await StartSyncAsync(repository), Is.EqualTo(first), "one sync per repository at a time");
            var listed = (await Api.GetJsonAsync($"/tasks/?repository={repository}&state=running")).AsArray();
            Assert.That(listed.Select(t => t!["task_id"]!.GetValue<string>()), Is.EqualTo(new[] { first }));
        }

        using (var cancel = await Api.Http.DeleteAsync($"{ContentApiClient.Root}/tasks/{first}/"))
        {
            Assert.That(await ContentApiClient.ReadAsync(cancel, HttpStatusCode.OK), Is.Null.Or.Property("GetValueKind").EqualTo(System.Text.Json.JsonValueKind.Null));
        }

        var canceled = await WaitForTaskAsync(first);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(canceled["state"]!.GetValue<string>(), Is.EqualTo("canceled"), canceled.ToJsonString());
            Assert.That(await TagDigestAsync(repository, "1.0"), Is.Null, "nothing half-imported");
            Assert.That((await CountsAsync(repository)).Count, Is.Zero);
        }

        // A new sync picks up, and finishes.
        proxy.ReleaseBlobs();
        var again = await StartSyncAsync(repository);
        Assert.That(again, Is.Not.EqualTo(first));
        Finished(await WaitForTaskAsync(again));
        Assert.That(await TagDigestAsync(repository, "1.0"), Is.EqualTo(image.Digest.ToString()));
    }

    [Test]
    public async Task Tasks_AreSeenByThoseWhoMayPull_AndCancelledByThoseWhoMayPush()
    {
        var name = NewUpstreamName();
        await Upstream.Client.PushImageAsync(name, TestManifest.DockerImage(layers: 1), "1.0");
        var repository = await SyncedRepositoryAsync(FeedOf(name));
        var taskId = await StartSyncAsync(repository);
        await WaitForTaskAsync(taskId);

        var puller = ApiAs(await CreateUserAsync((repository, "pull")));
        var stranger = ApiAs(await CreateUserAsync(("elsewhere/*", "pull,push")));
        using (Assert.EnterMultipleScope())
        {
            Assert.That((await puller.GetJsonAsync($"/tasks/{taskId}/"))["state"]!.GetValue<string>(), Is.EqualTo("finished"));
            Assert.That((await puller.GetJsonAsync("/tasks/")).AsArray().Select(t => t!["task_id"]!.GetValue<string>()), Does.Contain(taskId));
            Assert.That((await puller.GetJsonAsync($"/tasks/?tag=pulp:repository:{repository}")).AsArray(), Has.Count.EqualTo(1));
            Assert.That((await stranger.GetJsonAsync("/tasks/")).AsArray().Select(t => t!["task_id"]!.GetValue<string>()), Does.Not.Contain(taskId));
        }

        using (var hidden = await stranger.Http.GetAsync($"{ContentApiClient.Root}/tasks/{taskId}/"))
        {
            await ContentApiClient.ReadErrorAsync(hidden, HttpStatusCode.NotFound, "PLP0009");
        }

        using (var refused = await puller.Http.DeleteAsync($"{ContentApiClient.Root}/tasks/{taskId}/"))
        {
            await ContentApiClient.ReadErrorAsync(refused, HttpStatusCode.Forbidden);
        }

        using (var syncRefused = await puller.PostJsonAsync($"/repositories/{repository}/actions/sync/", "{}"))
        {
            await ContentApiClient.ReadErrorAsync(syncRefused, HttpStatusCode.Forbidden);
        }

        using (var missing = await Api.Http.GetAsync($"{ContentApiClient.Root}/tasks/{Guid.NewGuid():N}/"))
        {
            await ContentApiClient.ReadErrorAsync(missing, HttpStatusCode.NotFound, "PLP0009");
        }

        using (var badState = await Api.Http.GetAsync($"{ContentApiClient.Root}/tasks/?state=sleeping"))
        {
            await ContentApiClient.ReadErrorAsync(badState, HttpStatusCode.BadRequest, "PLP0015", "sleeping");
        }
    }
}
