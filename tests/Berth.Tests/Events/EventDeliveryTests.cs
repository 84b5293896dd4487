using System.Net;
using System.Text.Json.Nodes;
using Berth.Tests.Support;
using Docker.Common;
using NUnit.Framework;

namespace Berth.Tests.Events;

/// <summary>
/// Registry events reach a listener in the reference registry's envelope, in order, with the endpoint's headers; they
/// are sent again after failures and after a crash between their commit and their delivery (issue 14, events).
/// </summary>
[NonParallelizable]
public sealed class EventDeliveryTests : FolderPerTest
{
    private static readonly TimeSpan Bound = EventServer.Bound;

    [Test]
    public async Task Push_GivesBlobThenManifestPushEvents_InOrder_WithTheEndpointsHeaders()
    {
        await using var listener = await EventListener.StartAsync();
        await using var server = await StartAsync(EventServer.Endpoint(0, listener, ("Headers:Authorization", "Bearer listener-secret")));
        var registry = new RegistryClient(server.CreateClient());
        var image = TestManifest.DockerImage(layers: 2);

        await registry.PushImageAsync("events/app", image, "1.0");

        var events = await WaitForAsync(listener, image.Blobs.Count + 1);
        var manifest = events[^1];
        var port = server.BaseAddress.Port;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(events.Select(e => e["action"]!.GetValue<string>()), Is.All.EqualTo("push"));
            Assert.That(events.Select(e => Target(e, "digest")), Is.EqualTo(image.Blobs.Select(b => b.Digest.ToString()).Append(image.Digest.ToString())));
            Assert.That(Target(manifest, "mediaType"), Is.EqualTo(MediaTypes.DockerManifest));
            Assert.That(manifest["target"]!["size"]!.GetValue<long>(), Is.EqualTo(image.Bytes.LongLength));
            Assert.That(manifest["target"]!["length"]!.GetValue<long>(), Is.EqualTo(image.Bytes.LongLength));
            Assert.That(Target(manifest, "repository"), Is.EqualTo("events/app"));
            Assert.That(Target(manifest, "tag"), Is.EqualTo("1.0"));
            Assert.That(Target(manifest, "url"), Is.EqualTo($"http://127.0.0.1:{port}/v2/events/app/manifests/{image.Digest}"));
            Assert.That(manifest["actor"]!["name"]!.GetValue<string>(), Is.EqualTo("admin"));
            Assert.That(manifest["request"]!["method"]!.GetValue<string>(), Is.EqualTo("PUT"));
            Assert.That(manifest["request"]!["host"]!.GetValue<string>(), Is.EqualTo($"127.0.0.1:{port}"));
            Assert.That(manifest["source"]!["instanceID"]!.GetValue<string>(), Is.Not.Empty);
            Assert.That(manifest["id"]!.GetValue<string>(), Is.Not.Empty);
            Assert.That(events[0]["target"]!["size"]!.GetValue<long>(), Is.EqualTo(image.Blobs[0].Bytes.LongLength));
            Assert.That(Target(events[0], "url"), Is.EqualTo($"http://127.0.0.1:{port}/v2/events/app/blobs/{image.Blobs[0].Digest}"));
            Assert.That(events.Select(e => e["id"]!.GetValue<string>()), Is.Unique);
            Assert.That(listener.Deliveries.Select(d => d.Headers.GetValueOrDefault("Authorization")), Is.All.EqualTo("Bearer listener-secret"));
            Assert.That(listener.Deliveries.Select(d => d.ContentType), Is.All.EqualTo("application/vnd.docker.distribution.events.v2+json"));
        }

        Assert.That(await server.DrainErrorsAsync(), Is.Empty);
    }

    [Test]
    public async Task Pull_GivesPullEvents_ForTheManifestAndTheBlob_NotForHead()
    {
        await using var listener = await EventListener.StartAsync();
        await using var server = await StartAsync(EventServer.Endpoint(0, listener, ("Actions:0", "pull")));
        var registry = new RegistryClient(server.CreateClient());
        var image = TestManifest.DockerImage(layers: 1);
        await registry.PushImageAsync("events/app", image, "1.0");

        using (var head = await registry.SendAsync(HttpMethod.Head, "/v2/events/app/manifests/1.0"))
        {
            Assert.That(head.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        using (var manifest = await registry.Http.GetAsync("/v2/events/app/manifests/1.0"))
        {
            Assert.That(manifest.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        using (var blob = await registry.Http.GetAsync($"/v2/events/app/blobs/{image.Blobs[0].Digest}"))
        {
            Assert.That(blob.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        var events = await WaitForAsync(listener, 2);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(events.Select(e => e["action"]!.GetValue<string>()), Is.EqualTo(new[] { "pull", "pull" }));
            Assert.That(Target(events[0], "digest"), Is.EqualTo(image.Digest.ToString()));
            Assert.That(Target(events[0], "tag"), Is.EqualTo("1.0"));
            Assert.That(Target(events[0], "mediaType"), Is.EqualTo(MediaTypes.DockerManifest));
            Assert.That(events[0]["request"]!["method"]!.GetValue<string>(), Is.EqualTo("GET"));
            Assert.That(Target(events[1], "digest"), Is.EqualTo(image.Blobs[0].Digest.ToString()));
        }
    }

    [Test]
    public async Task TagDelete_AndManifestDelete_GiveDeleteEvents()
    {
        await using var listener = await EventListener.StartAsync();
        await using var server = await StartAsync(EventServer.Endpoint(0, listener, ("Actions:0", "delete")));
        var registry = new RegistryClient(server.CreateClient());
        var image = TestManifest.DockerImage(layers: 1);
        await registry.PushImageAsync("events/app", image, "1.0");
        await registry.PushImageAsync("events/app", image, "2.0");

        using (var tag = await registry.SendAsync(HttpMethod.Delete, "/v2/events/app/manifests/2.0"))
        {
            Assert.That(tag.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        }

        using (var manifest = await registry.SendAsync(HttpMethod.Delete, $"/v2/events/app/manifests/{image.Digest}"))
        {
            Assert.That(manifest.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        }

        var events = await WaitForAsync(listener, 2);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(events.Select(e => e["action"]!.GetValue<string>()), Is.EqualTo(new[] { "delete", "delete" }));
            Assert.That(Target(events[0], "tag"), Is.EqualTo("2.0"));
            Assert.That(Target(events[0], "digest"), Is.EqualTo(image.Digest.ToString()), "the manifest the tag named");
            Assert.That(Target(events[0], "repository"), Is.EqualTo("events/app"));
            Assert.That(Target(events[1], "digest"), Is.EqualTo(image.Digest.ToString()));
            Assert.That(Target(events[1], "mediaType"), Is.EqualTo(MediaTypes.DockerManifest));
            Assert.That(events[1]["target"]!["tag"], Is.Null);
        }
    }

    [Test]
    public async Task Mount_GivesAMountEvent_NamingTheRepositoryItCameFrom()
    {
        await using var listener = await EventListener.StartAsync();
        await using var server = await StartAsync(EventServer.Endpoint(0, listener, ("Actions:0", "mount")));
        var registry = new RegistryClient(server.CreateClient());
        var blob = TestBlob.Random(100);
        await registry.PushBlobAsync("events/app", blob);

        using (var mount = await registry.Http.PostAsync($"/v2/events/copy/blobs/uploads/?mount={blob.Digest}&from=events/app", null))
        {
            Assert.That(mount.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        }

        var events = await WaitForAsync(listener, 1);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(events[0]["action"]!.GetValue<string>(), Is.EqualTo("mount"));
            Assert.That(Target(events[0], "repository"), Is.EqualTo("events/copy"));
            Assert.That(Target(events[0], "fromRepository"), Is.EqualTo("events/app"));
            Assert.That(Target(events[0], "digest"), Is.EqualTo(blob.Digest.ToString()));
        }
    }

    [Test]
    public async Task ActionAndRepositoryFilters_KeepEachEndpointToWhatItAsked()
    {
        await using var all = await EventListener.StartAsync();
        await using var filtered = await EventListener.StartAsync();
        await using var server = await StartAsync([
            .. EventServer.Endpoint(0, all),
            .. EventServer.Endpoint(1, filtered, ("Name", "other-pushes"), ("Actions:0", "push"), ("Repositories:0", "other/*")),
        ]);
        var registry = new RegistryClient(server.CreateClient());
        var (first, second, last) = (TestBlob.Random(100), TestBlob.Random(100), TestBlob.Random(100));

        await registry.PushBlobAsync("events/app", first);
        await registry.PushBlobAsync("other/app", second);
        using (var pull = await registry.Http.GetAsync($"/v2/other/app/blobs/{second.Digest}"))
        {
            Assert.That(pull.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        await registry.PushBlobAsync("other/app", last);

        // In order per endpoint: once the last push is there, whatever came before it is too.
        var everything = await WaitForAsync(all, 4);
        var some = await WaitForAsync(filtered, 2);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(everything.Select(e => $"{e["action"]} {Target(e, "repository")}"), Is.EqualTo(new[] { "push events/app", "push other/app", "pull other/app", "push other/app" }));
            Assert.That(some.Select(e => Target(e, "digest")), Is.EqualTo(new[] { second.Digest.ToString(), last.Digest.ToString() }));
        }
    }

    [Test]
    public async Task ListenerAnswering500_GetsTheSameEventsAgain_ThenTheNext_InOrder()
    {
        await using var listener = await EventListener.StartAsync();
        listener.Failing = true;
        await using var server = await StartAsync(EventServer.Endpoint(0, listener));
        var registry = new RegistryClient(server.CreateClient());
        var (first, second) = (TestBlob.Random(100), TestBlob.Random(100));

        await registry.PushBlobAsync("events/app", first);
        Assert.That(await Eventually.WaitAsync(() => listener.Deliveries.Count >= 3, Bound), Is.True, "retried");
        await registry.PushBlobAsync("events/app", second);
        listener.Failing = false;

        var events = await WaitForAsync(listener, 2);
        var failed = listener.Deliveries.Where(d => d.Status == 500).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(events.Select(e => Target(e, "digest")), Is.EqualTo(new[] { first.Digest.ToString(), second.Digest.ToString() }));
            Assert.That(failed.Select(d => d.Events[0]["id"]!.GetValue<string>()), Is.All.EqualTo(events[0]["id"]!.GetValue<string>()), "the same event, again");
            Assert.That(CountOf(server.Output, "is failing since"), Is.EqualTo(1), "logged once, not at every retry");
        }

        Assert.That(await Eventually.WaitAsync(() => CountOf(server.Output, "takes events again") == 1, Bound), Is.True, server.Output);
    }

    [Test]
    public async Task ListenerDownAtPushTime_GetsTheEventsOnceItListens()
    {
        await using var listener = EventListener.Down();
        await using var server = await StartAsync(EventServer.Endpoint(0, listener));
        var registry = new RegistryClient(server.CreateClient());
        var blob = TestBlob.Random(100);

        await registry.PushBlobAsync("events/app", blob);
        Assert.That(await Eventually.WaitAsync(() => server.Output.Contains("is failing since", StringComparison.Ordinal), Bound), Is.True, server.Output);
        await listener.StartAgainAsync();

        var events = await WaitForAsync(listener, 1);
        Assert.That(Target(events[0], "digest"), Is.EqualTo(blob.Digest.ToString()));
    }

    [Test]
    public async Task ListenerDownForAnHour_GetsEveryEvent_InOrder_OnceItListens()
    {
        // The endpoint's own backoff (1 s doubling up to 5 min), on the server's manual clock: an hour passes in moments.
        await using var listener = EventListener.Down();
        await using var server = await StartAsync([$"--Berth:Notifications:Endpoints:0:Url={listener.Url}", $"--{ServerClock.Manual.Key}={ServerClock.Manual.Value}"]);
        var http = server.CreateClient();
        var registry = new RegistryClient(http);
        var (first, second) = (TestBlob.Random(100), TestBlob.Random(100));

        await registry.PushBlobAsync("events/app", first);
        Assert.That(
            await Eventually.WaitAsync(
                async () =>
                {
                    await ServerClock.AdvanceAsync(http, TimeSpan.FromSeconds(1));
                    return server.Output.Contains("is failing since", StringComparison.Ordinal);
                },
                Bound),
            Is.True,
            server.Output);

        var down = TimeSpan.Zero;
        while (down < TimeSpan.FromHours(1))
        {
            await ServerClock.AdvanceAsync(http, TimeSpan.FromMinutes(1));
            down += TimeSpan.FromMinutes(1);
        }

        await registry.PushBlobAsync("events/app", second);
        await listener.StartAgainAsync();

        // The next retry comes within the backoff's ceiling.
        Assert.That(
            await Eventually.WaitAsync(
                async () =>
                {
                    await ServerClock.AdvanceAsync(http, TimeSpan.FromMinutes(1));
                    return listener.Accepted.Count >= 2;
                },
                Bound),
            Is.True,
            $"{listener.Accepted.Count} of 2 events arrived");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(listener.Accepted.Select(e => Target(e, "digest")), Is.EqualTo(new[] { first.Digest.ToString(), second.Digest.ToString() }));
            Assert.That(CountOf(server.Output, "is failing since"), Is.EqualTo(1), "logged once, not at every retry");
        }

        Assert.That(await server.DrainErrorsAsync(), Is.Empty);
    }

    [Test]
    public async Task CrashBetweenCommitAndSend_StillDelivers_AfterTheRestart()
    {
        var dataDir = Folder.Combine("data");
        await using var listener = await EventListener.StartAsync();
        listener.Failing = true;
        var settings = EventServer.Endpoint(0, listener).ToList();
        var image = TestManifest.DockerImage(layers: 1);
        await using (var server = await EventServer.StartAsync(Folder.Path, dataDir, settings))
        {
            await new RegistryClient(server.CreateClient()).PushImageAsync("events/app", image, "1.0");
            Assert.That(await Eventually.WaitAsync(() => listener.Deliveries.Count >= 1, Bound), Is.True, "tried once");
            await server.KillAsync();
        }

        listener.Failing = false;
        await using var restarted = await EventServer.StartAsync(Folder.Path, dataDir, settings);

        var events = await WaitForAsync(listener, image.Blobs.Count + 1);
        Assert.That(events.Select(e => Target(e, "digest")), Is.EqualTo(image.Blobs.Select(b => b.Digest.ToString()).Append(image.Digest.ToString())));
    }

    [Test]
    public async Task EventsOfACommittedPush_AreSentOnlyOnceItIsDurable()
    {
        await using var listener = await EventListener.StartAsync();
        await using var server = await StartAsync([.. EventServer.Endpoint(0, listener), "--Berth:Testing:HoldableFlushes=true"]);
        var http = server.CreateClient();
        var registry = new RegistryClient(http);
        var image = TestManifest.DockerImage(layers: 1);
        foreach (var blob in image.Blobs)
        {
            await registry.PushBlobAsync("events/app", blob);
        }

        await WaitForAsync(listener, image.Blobs.Count);
        Assert.That(await Eventually.WaitAsync(() => SenderIdleAsync(http), Bound), Is.True, "the sender did not settle into polling");

        var before = await MetadataFlushes.FiguresAsync(http);
        await MetadataFlushes.HoldAsync(http, held: true);
        var push = registry.PutManifestAsync("events/app", "1.0", image.Bytes, image.MediaType);
        Assert.That(await Eventually.WaitAsync(async () => (await MetadataFlushes.FiguresAsync(http)).Writes > before.Writes, Bound), Is.True, "the import did not commit");

        // The sender polls every 200 ms, and a read after the commit sees the manifest's event. Sent then, it would be at
        // the listener within milliseconds (loopback), reporting a push that a crash now would take back; in the time of
        // 15 polls it must not come.
        Assert.That(
            await Eventually.WaitAsync(() => listener.Accepted.Count > image.Blobs.Count, TimeSpan.FromSeconds(3)),
            Is.False,
            "the manifest's push event was sent before the push was durable");
        Assert.That(push.IsCompleted, Is.False, "the push was answered before it was durable");

        await MetadataFlushes.HoldAsync(http, held: false);
        using (var pushed = await push.WaitAsync(Bound))
        {
            Assert.That(pushed.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        }

        var events = await WaitForAsync(listener, image.Blobs.Count + 1);
        Assert.That(Target(events[^1], "digest"), Is.EqualTo(image.Digest.ToString()));
    }

    private Task<ServerProcess> StartAsync(IEnumerable<string> settings) => EventServer.StartAsync(Folder.Path, Folder.Combine("data"), settings);

    /// <summary>The first <paramref name="count"/> events the listener took, once it has taken that many.</summary>
    private static async Task<IReadOnlyList<JsonObject>> WaitForAsync(EventListener listener, int count)
    {
        Assert.That(await Eventually.WaitAsync(() => listener.Accepted.Count >= count, Bound), Is.True, $"{listener.Accepted.Count} of {count} events arrived");
        return [.. listener.Accepted.Take(count)];
    }

    // Polling with nothing to send: reads go on while nothing is written (the cursor moved and the outbox was pruned).
    private static async Task<bool> SenderIdleAsync(HttpClient http)
    {
        var start = await MetadataFlushes.FiguresAsync(http);
        if (!await Eventually.WaitAsync(async () => (await MetadataFlushes.FiguresAsync(http)).Reads >= start.Reads + 2, Bound))
        {
            return false;
        }

        return (await MetadataFlushes.FiguresAsync(http)).Writes == start.Writes;
    }

    private static string? Target(JsonObject notification, string field) => notification["target"]?[field]?.GetValue<string>();

    private static int CountOf(string text, string part) => text.Split(part).Length - 1;
}
