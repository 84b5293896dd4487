using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Berth.Tests.Support;
using Docker.Common;
using Docker.Common.Manifests;
using NUnit.Framework;

namespace Berth.Tests.Replicas;

/// <summary>
/// Orphan collection on one server while pushes on another reuse the very orphans it is collecting: the reference
/// guard's holds and condemnations live in the shared database, so each orphan is either collected before a push
/// finds it (and the push stores it afresh) or kept for the push; no push fails, and nothing acknowledged is lost.
/// </summary>
[NonParallelizable]
public sealed class CollectionAcrossReplicasTests : FolderPerTest
{
    private static readonly int Rounds = LongerRun.Rounds(2, 5);
    private const int OrphansEachRound = 40;
    private const int Pushers = 4;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(120);

    [Test]
    public async Task CollectionOnOneServer_WhilePushesOnAnotherReuseItsOrphans_LosesNothingAcknowledged()
    {
        await using var storage = await TestStorage.CreateAsync(StorageBackend.PostgreSqlS3Streamed);
        await using var replicas = await ReplicaSet.StartAsync(Folder, storage.Arguments);
        using var collecting = replicas.Servers[0].CreateClient();
        using var pushing = replicas.Servers[1].CreateClient();
        await new ContentApiClient(pushing).CreateDockerRepositoryAsync("app");
        var acknowledged = new ConcurrentBag<(string Tag, TestManifest Image)>();
        var collected = 0L;
        var leftInUse = 0L;

        for (var round = 0; round < Rounds; round++)
        {
            // Layers pushed, then orphaned with their repository: ripe at once for a collection with no grace period.
            var layers = Enumerable.Range(0, OrphansEachRound).Select(_ => TestBlob.Random(3_000)).ToList();
            var old = $"old-{round}";
            await new ContentApiClient(collecting).CreateDockerRepositoryAsync(old);
            foreach (var layer in layers)
            {
                await new RegistryClient(collecting).PushBlobAsync(old, layer);
            }

            using (var deleted = await collecting.DeleteAsync($"/pulp/api/v2/repositories/{old}/"))
            {
                Assert.That(deleted.IsSuccessStatusCode, Is.True, await deleted.Content.ReadAsStringAsync());
            }

            // Collection starts once pushes are under way: some find their orphan before it, some race it.
            using var pushesDone = new CancellationTokenSource();
            var underWay = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var collector = Task.Run(async () =>
            {
                await Task.WhenAny(underWay.Task, Task.Delay(Timeout.Infinite, pushesDone.Token));
                while (!pushesDone.IsCancellationRequested)
                {
                    using var collection = await collecting.DeleteAsync("/pulp/api/v2/content/orphans/?older_than_seconds=0");
                    var report = await collection.Content.ReadAsStringAsync();
                    Assert.That(collection.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), report);
                    using var json = JsonDocument.Parse(report);
                    Interlocked.Add(ref collected, json.RootElement.GetProperty("result").GetProperty("units_removed_total").GetInt64());
                    Interlocked.Add(ref leftInUse, json.RootElement.GetProperty("result").GetProperty("skipped_in_use").GetInt64());
                }
            });

            var next = -1;
            var round_ = round;
            var pushers = Enumerable.Range(0, Pushers).Select(_ => Task.Run(async () =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < layers.Count)
                {
                    var image = ImageWith(layers[i]);
                    var tag = $"r{round_}-{i}";
                    await new RegistryClient(pushing).PushImageAsync("app", image, tag);
                    acknowledged.Add((tag, image));
                    underWay.TrySetResult();
                }
            })).ToList();

            try
            {
                await Task.WhenAll(pushers).WaitAsync(Bound);
            }
            finally
            {
                await pushesDone.CancelAsync();
                await collector.WaitAsync(Bound);
            }
        }

        Assert.That(acknowledged, Has.Count.EqualTo(Rounds * OrphansEachRound));
        foreach (var server in new[] { collecting, pushing })
        {
            await ReplicaPushes.AssertAllThereAsync(server, "app", acknowledged.Select(a => (a.Tag, a.Image, a.Image.Blobs)));
        }

        TestContext.Out.WriteLine($"{Interlocked.Read(ref collected)} units collected while the pushes ran, {Interlocked.Read(ref leftInUse)} left in use");
    }

    private static TestManifest ImageWith(TestBlob layer)
    {
        var config = TestBlob.Config();
        var manifest = new ImageManifest { MediaType = MediaTypes.DockerManifest, Config = config.Descriptor, Layers = [layer.Descriptor] };
        return new TestManifest(JsonSerializer.SerializeToUtf8Bytes(manifest, DockerJsonContext.Default.ImageManifest), MediaTypes.DockerManifest, [config, layer]);
    }
}
