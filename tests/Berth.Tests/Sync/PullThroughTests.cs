using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Sync;

/// <summary>
/// A repository whose sync importer has <c>on_demand</c> serves as a pull-through cache of its feed: a pull of what it
/// lacks is answered from upstream and stored behind the answer, so later pulls are local; concurrent first pulls fetch
/// each blob from upstream once; tags are asked for again after their refresh time; pushes are refused unless allowed.
/// </summary>
public sealed class PullThroughTests() : SyncFixture(ServerKind.InProcess)
{
    private const string Accept =
        "application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, " +
        "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json";

    [Test]
    public async Task FirstPull_IsServedFromUpstream_AndStoredForLaterPullsThatStayLocal()
    {
        var name = NewUpstreamName();
        var image = TestManifest.DockerImage(layers: 2, layerSize: 256 * 1024);
        await Upstream.Client.PushImageAsync(name, image, "1.0");
        await using var proxy = new UpstreamProxy(Upstream.Address);
        var cache = await CacheAsync(name, proxy.Address);

        await PullAsync(cache, "1.0", image);
        await WaitStoredAsync(cache, tags: 1, manifests: 1, blobs: image.Blobs.Count);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(proxy.Count("GET", "/blobs/"), Is.EqualTo(image.Blobs.Count), "each blob once, for the client and the import both: " + string.Join('\n', proxy.Requests));
            Assert.That(await TagDigestAsync(cache, "1.0"), Is.EqualTo(image.Digest.ToString()));
        }

        proxy.Forget();
        await PullAsync(cache, "1.0", image);
        await PullAsync(cache, image.Digest.ToString(), image);
        Assert.That(proxy.Requests, Is.Empty, "the tag is fresh and everything is held: upstream is not asked");
    }

    [Test]
    public async Task ConcurrentFirstPulls_FetchEachBlobFromUpstreamOnce()
    {
        var name = NewUpstreamName();
        var image = TestManifest.DockerImage(layers: 2, layerSize: 1024 * 1024);
        await Upstream.Client.PushImageAsync(name, image, "latest");
        await using var proxy = new UpstreamProxy(Upstream.Address);
        var cache = await CacheAsync(name, proxy.Address);

        // The first blob is held upstream until asked for: the clients' requests for it meet its download under way.
        proxy.HoldBlobs();
        var pulls = Enumerable.Range(0, 6).Select(_ => Task.Run(() => PullAsync(cache, "latest", image))).ToList();
        Assert.That(await Eventually.WaitAsync(() => proxy.BlobsWaiting >= 1, TaskBound), Is.True, string.Join('\n', proxy.Requests));
        proxy.ReleaseBlobs();
        await Task.WhenAll(pulls);
        await WaitStoredAsync(cache, tags: 1, manifests: 1, blobs: image.Blobs.Count);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(proxy.Count("GET", "/blobs/"), Is.EqualTo(image.Blobs.Count), string.Join('\n', proxy.Requests));
            Assert.That(proxy.Count("GET", "/manifests/"), Is.LessThanOrEqualTo(12), "the clients' asks for the tag share requests");
        }
    }

    [Test]
    public async Task ATag_IsAskedForAgainAfterItsRefreshTime_AndServedAsHeldBefore()
    {
        var name = NewUpstreamName();
        var (first, second) = (TestManifest.DockerImage(layers: 1), TestManifest.DockerImage(layers: 1));
        await Upstream.Client.PushImageAsync(name, first, "latest");
        var everyPull = await CacheAsync(name, Upstream.Address, new JsonObject { ["tag_refresh_seconds"] = 0 });
        var hourly = await CacheAsync(name, Upstream.Address, new JsonObject { ["tag_refresh_seconds"] = 3600 });
        await PullAsync(everyPull, "latest", first);
        await PullAsync(hourly, "latest", first);
        await WaitStoredAsync(everyPull, tags: 1, manifests: 1, blobs: first.Blobs.Count);
        await WaitStoredAsync(hourly, tags: 1, manifests: 1, blobs: first.Blobs.Count);

        await Upstream.Client.PushImageAsync(name, second, "latest");
        await PullAsync(everyPull, "latest", second);
        await PullAsync(hourly, "latest", first);
        await WaitStoredAsync(everyPull, tags: 1, manifests: 2, blobs: first.Blobs.Concat(second.Blobs).DistinctBy(b => b.Digest).Count());
        await PullAsync(everyPull, first.Digest.ToString(), first);
    }

    [Test]
    public async Task WhatUpstreamLacks_IsUnknown_AndAnUpstreamAway_IsA502UnlessTheCacheHoldsIt()
    {
        var name = NewUpstreamName();
        var image = TestManifest.DockerImage(layers: 1);
        await Upstream.Client.PushImageAsync(name, image, "1.0");
        await using var proxy = new UpstreamProxy(Upstream.Address);
        var cache = await CacheAsync(name, proxy.Address, new JsonObject { ["tag_refresh_seconds"] = 0 });

        using (var missing = await GetManifestAsync(cache, "9.9"))
        {
            await RegistryClient.ReadErrorAsync(missing, HttpStatusCode.NotFound, "MANIFEST_UNKNOWN");
        }

        using (var missingBlob = await Api.Http.GetAsync($"/v2/{cache}/blobs/sha256:{new string('0', 64)}"))
        {
            await RegistryClient.ReadErrorAsync(missingBlob, HttpStatusCode.NotFound, "BLOB_UNKNOWN");
        }

        await PullAsync(cache, "1.0", image);
        await WaitStoredAsync(cache, tags: 1, manifests: 1, blobs: image.Blobs.Count);

        // Upstream answers 503 to everything (more than the importer's retries): the held tag is still served.
        proxy.FailNext(1000, HttpStatusCode.ServiceUnavailable);
        await PullAsync(cache, "1.0", image);
        using var away = await GetManifestAsync(cache, "2.0");
        var error = await RegistryClient.ReadErrorAsync(away, HttpStatusCode.BadGateway, "UNAVAILABLE");
        Assert.That(error["message"]!.GetValue<string>(), Does.Contain("could not fetch '2.0' from its upstream"));
    }

    [Test]
    public async Task PushesToACache_AreRefused_UnlessItAllowsThem()
    {
        var name = NewUpstreamName();
        var cache = await CacheAsync(name, Upstream.Address);
        using (var refused = await Api.Http.PostAsync($"/v2/{cache}/blobs/uploads/", null))
        {
            var error = await RegistryClient.ReadErrorAsync(refused, HttpStatusCode.Forbidden, "DENIED");
            Assert.That(error["message"]!.GetValue<string>(), Does.Contain("pull-through cache").And.Contain("allow_push"));
        }

        var open = await CacheAsync(name, Upstream.Address, new JsonObject { ["allow_push"] = true });
        var pushed = TestManifest.DockerImage(layers: 1);
        await new RegistryClient(Api.Http).PushImageAsync(open, pushed, "local");
        await PullAsync(open, "local", pushed);
    }

    [Test]
    public async Task OnDemandWithoutAFeed_IsRefusedAtRegistration()
    {
        var id = NewRepositoryId();
        using (var created = await Api.PostJsonAsync("/repositories/", new JsonObject { ["id"] = id }))
        {
            await ContentApiClient.ReadAsync(created, HttpStatusCode.Created);
        }

        using var refused = await Api.PostJsonAsync(
            $"/repositories/{id}/importers/",
            new JsonObject { ["importer_type_id"] = "docker_sync_importer", ["importer_config"] = new JsonObject { ["on_demand"] = true, ["tag_refresh_seconds"] = -1 } });
        var error = await ContentApiClient.ReadAsync(refused, HttpStatusCode.BadRequest);
        Assert.That(Names(error["error"]!["data"]!["keys"]), Is.EquivalentTo(new[] { "feed", "tag_refresh_seconds" }), error.ToJsonString());
    }

    private Task<string> CacheAsync(string upstreamName, Uri feed, JsonObject? more = null)
    {
        var config = new JsonObject(FeedOf(upstreamName, feed)) { ["on_demand"] = true };
        foreach (var (key, value) in more ?? [])
        {
            config[key] = value?.DeepClone();
        }

        return SyncedRepositoryAsync(config);
    }

    private async Task<HttpResponseMessage> GetManifestAsync(string repository, string reference)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/{repository}/manifests/{reference}");
        request.Headers.Accept.ParseAdd(Accept);
        return await Api.Http.SendAsync(request);
    }

    /// <summary>Pulls as a client does: the manifest, then each blob; checks every byte.</summary>
    private async Task PullAsync(string repository, string reference, TestManifest image)
    {
        using var client = Host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/{repository}/manifests/{reference}");
        request.Headers.Accept.ParseAdd(Accept);
        using var manifest = await client.SendAsync(request);
        Assert.That(manifest.StatusCode, Is.EqualTo(HttpStatusCode.OK), await manifest.Content.ReadAsStringAsync());
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await manifest.Content.ReadAsByteArrayAsync(), Is.EqualTo(image.Bytes), $"{repository}:{reference}");
            Assert.That(RegistryClient.Header(manifest, "Docker-Content-Digest"), Is.EqualTo(image.Digest.ToString()));
            Assert.That(manifest.Content.Headers.ContentType, Is.EqualTo(MediaTypeHeaderValue.Parse(image.MediaType)));
        }

        foreach (var blob in image.Blobs)
        {
            using var response = await client.GetAsync($"/v2/{repository}/blobs/{blob.Digest}");
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), blob.Digest.ToString());
            Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(blob.Bytes), blob.Digest.ToString());
        }
    }

    /// <summary>Waits, with a bound, until the import behind the pulls has stored what they asked for.</summary>
    private async Task WaitStoredAsync(string repository, long tags, long manifests, long blobs)
    {
        JsonObject counts = [];
        var stored = await Eventually.WaitAsync(
            async () =>
            {
                counts = await CountsAsync(repository);
                return Count(counts, "docker_tag") == tags && Count(counts, "docker_manifest") == manifests && Count(counts, "docker_blob") == blobs;
            },
            TaskBound);
        Assert.That(stored, Is.True, $"{repository} holds {counts.ToJsonString()}, not {tags} tags, {manifests} manifests and {blobs} blobs");
    }

    private static long Count(JsonObject counts, string type) => counts[type]?.GetValue<long>() ?? 0;
}
