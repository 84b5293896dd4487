using System.Collections.Concurrent;
using System.Globalization;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Replicas;

/// <summary>
/// The longer run's soak (<c>BERTH_TEST_SOAK_MINUTES=N</c>): pushers push through the balancer for N minutes while the two
/// replicas are killed (kill -9) and started again in turn. Every push finishes, retried through the balancer, and
/// everything acknowledged is there at the end. The default run has one kill of it (<see cref="ReplicaFailoverTests"/>).
/// </summary>
[NonParallelizable]
public sealed class ReplicaSoakTests : FolderPerTest
{
    public const string Variable = "BERTH_TEST_SOAK_MINUTES";
    private const int Pushers = 4;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    // How long each round lets both servers take pushes before the next kill: a pace, not a wait for a condition.
    private static readonly TimeSpan Round = TimeSpan.FromSeconds(10);

    [Test]
    public async Task PushesForMinutes_WhileReplicasAreKilledAndStartedAgainInTurn_LoseNothingAcknowledged()
    {
        if (!int.TryParse(Environment.GetEnvironmentVariable(Variable), NumberStyles.None, CultureInfo.InvariantCulture, out var minutes) || minutes < 1)
        {
            Assert.Ignore($"the soak is part of the longer run: {Variable}=N runs it for N minutes (see the README's \"Set-up\")");
        }

        await using var storage = await TestStorage.CreateAsync(StorageBackend.PostgreSqlS3Streamed);
        await using var replicas = await ReplicaSet.StartAsync(Folder, storage.Arguments);
        using var client = replicas.CreateClient();
        await new ContentApiClient(client).CreateDockerRepositoryAsync("soak");
        var shared = TestBlob.Random(40_000);
        var acknowledged = new ConcurrentBag<(string Tag, TestManifest Image, IReadOnlyList<TestBlob> Blobs)>();
        var failures = new ConcurrentBag<string>();
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(minutes));

        var pushers = Enumerable.Range(0, Pushers).Select(p => Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var image = TestManifest.DockerImage(layers: 1, layerSize: 20_000);
                IReadOnlyList<TestBlob> blobs = [shared, .. image.Blobs];
                var tag = $"p{p}-{i}";
                if (await ReplicaPushes.PushAsync(client, "soak", image, blobs, tag, Bound) is { } failure)
                {
                    failures.Add($"{tag}: {failure}");
                    return;
                }

                acknowledged.Add((tag, image, blobs));
            }
        })).ToList();

        var kills = 0;
        while (!stop.IsCancellationRequested && failures.IsEmpty)
        {
            await Task.Delay(Round, CancellationToken.None);
            var victim = kills++ % replicas.Servers.Count;
            await replicas.Servers[victim].KillAsync();
            Assert.That(await Eventually.WaitAsync(async () => await replicas.Balancer.UpCountAsync() == 1, Bound), Is.True, $"kill {kills}: the balancer takes the dead server out");
            await replicas.RestartAsync(victim);
            Assert.That(await Eventually.WaitAsync(async () => await replicas.Balancer.UpCountAsync() == 2, Bound), Is.True, $"kill {kills}: the balancer takes the server back");
        }

        await Task.WhenAll(pushers).WaitAsync(Bound * 3);
        Assert.That(failures, Is.Empty, "every push finishes, retried through the balancer");
        TestContext.Out.WriteLine($"{acknowledged.Count} images pushed in {minutes} min through {kills} kills");
        Assert.That(kills, Is.GreaterThanOrEqualTo(2), "both replicas were killed at least once");
        await ReplicaPushes.AssertAllThereAsync(client, "soak", acknowledged);
    }
}
