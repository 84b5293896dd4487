using System.Collections.Concurrent;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Replicas;

/// <summary>
/// Two servers behind HAProxy take concurrent pushes; one is killed (kill -9) half-way. Clients retry what failed through
/// the balancer, which takes the dead server out within a second: every push finishes, everything acknowledged is there
/// to pull, and verification finds the shared stores whole.
/// </summary>
[NonParallelizable]
public sealed class ReplicaFailoverTests : FolderPerTest
{
    private const int Pushers = 6;
    private const int ImagesEach = 6;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Test]
    public async Task AReplicaKilledDuringConcurrentPushes_LosesNothingAcknowledged()
    {
        await using var storage = await TestStorage.CreateAsync(StorageBackend.PostgreSqlS3Streamed);
        await using var replicas = await ReplicaSet.StartAsync(Folder, storage.Arguments);
        using var client = replicas.CreateClient();
        await new ContentApiClient(client).CreateDockerRepositoryAsync("app");

        // Every image shares a base layer with the others, as real pushes do; the rest is its own.
        var shared = TestBlob.Random(40_000);
        var images = Enumerable.Range(0, Pushers * ImagesEach)
            .Select(_ => TestManifest.DockerImage(layers: 1, layerSize: 30_000))
            .Select(own => (Image: own, Blobs: (IReadOnlyList<TestBlob>)[shared, .. own.Blobs]))
            .ToList();
        var acknowledged = new ConcurrentBag<(string Tag, TestManifest Image, IReadOnlyList<TestBlob> Blobs)>();
        var failures = new ConcurrentBag<string>();
        var halfway = new TaskCompletionSource();

        var pushers = Enumerable.Range(0, Pushers).Select(p => Task.Run(async () =>
        {
            for (var i = 0; i < ImagesEach; i++)
            {
                var (image, blobs) = images[(p * ImagesEach) + i];
                var tag = $"p{p}-{i}";
                if (await ReplicaPushes.PushAsync(client, "app", image, blobs, tag, Bound) is { } failure)
                {
                    failures.Add($"{tag}: {failure}");
                    return;
                }

                acknowledged.Add((tag, image, blobs));
                if (acknowledged.Count >= Pushers * ImagesEach / 3)
                {
                    halfway.TrySetResult();
                }
            }
        })).ToList();

        // A pusher that gave up before half-way ends the wait too, with its reason.
        await Task.WhenAny(halfway.Task, Task.WhenAll(pushers)).WaitAsync(Bound);
        Assert.That(failures, Is.Empty, "no push gives up while both servers run");
        await replicas.Servers[0].KillAsync();
        await Task.WhenAll(pushers).WaitAsync(Bound * 3);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(failures, Is.Empty, "every push finishes, retried through the balancer");
            Assert.That(acknowledged, Has.Count.EqualTo(Pushers * ImagesEach));
            Assert.That(await Eventually.WaitAsync(async () => await replicas.Balancer.UpCountAsync() == 1, Bound), Is.True, "the balancer takes the dead server out");
        }

        await ReplicaPushes.AssertAllThereAsync(client, "app", acknowledged);
    }
}
