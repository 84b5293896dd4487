using Berth.Tests.Events;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Replicas;

/// <summary>
/// Work a server started as leader stops when its term ends, not when it finishes: otherwise the next leader (within a
/// second) would run the same work beside it. Event delivery shows it from outside: a delivery in flight when the
/// leadership session ends is given up at once, and the events are sent again in the next term.
/// </summary>
[NonParallelizable]
public sealed class LeadershipTermTests : FolderPerTest
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Test]
    public async Task ADeliveryInFlightWhenTheTermEnds_IsGivenUp_AndTheEventsComeInTheNextTerm()
    {
        await using var storage = await TestStorage.CreateAsync(StorageBackend.PostgreSql);
        await using var listener = await EventListener.StartAsync();
        listener.Hold();

        // An endpoint timeout far past the bound: only the end of the term can stop the delivery in time.
        await using var server = await EventServer.StartAsync(
            Folder.Path, Folder.Combine("data"), [.. EventServer.Endpoint(0, listener, ("Timeout", "00:10:00")), .. storage.Arguments]);
        var image = TestManifest.DockerImage(layers: 1);
        await new RegistryClient(server.CreateClient()).PushImageAsync("events/app", image, "1.0");
        Assert.That(await Eventually.WaitAsync(() => listener.Holding == 1, Bound), Is.True, "the leader sends, and waits for an answer");

        Assert.That(
            await PostgreSqlCluster.ScalarAsync<long>(
                storage.ConnectionString!,
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'berth leadership' AND datname = current_database()"),
            Is.EqualTo(1),
            "the server's leadership session");
        Assert.That(await Eventually.WaitAsync(() => listener.Abandoned == 1, Bound), Is.True, "the delivery outlived the term it was sent in");

        listener.Release();
        Assert.That(await Eventually.WaitAsync(() => listener.Accepted.Count >= image.Blobs.Count + 1, Bound), Is.True, "the server leads again and sends");
        Assert.That(
            listener.Accepted.Select(e => e["target"]!["digest"]!.GetValue<string>()),
            Is.EqualTo(image.Blobs.Select(b => b.Digest.ToString()).Append(image.Digest.ToString())),
            "each event once, in order");
    }
}
