using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using Berth.Tests.Support;
using NUnit.Framework;
using static Berth.Tests.Support.RegistryClient;

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

    // As a client backs off before retrying; not a wait for a condition.
    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(100);

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
                if (await PushAsync(client, image, blobs, tag) is { } failure)
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

        foreach (var (tag, image, blobs) in acknowledged)
        {
            using var manifest = await client.GetAsync($"/v2/app/manifests/{tag}");
            Assert.That(manifest.StatusCode, Is.EqualTo(HttpStatusCode.OK), tag);
            Assert.That(await manifest.Content.ReadAsByteArrayAsync(), Is.EqualTo(image.Bytes), tag);
            foreach (var blob in blobs)
            {
                using var pulled = await client.GetAsync($"/v2/app/blobs/{blob.Digest}");
                Assert.That(pulled.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"{tag} {blob.Digest}");
                Assert.That(await pulled.Content.ReadAsByteArrayAsync(), Is.EqualTo(blob.Bytes), $"{tag} {blob.Digest}");
            }
        }

        using var verify = await client.PostAsync("/pulp/api/v2/content/actions/verify/", null);
        var report = await ContentApiClient.ReadAsync(verify, HttpStatusCode.OK);
        Assert.That(report["ok"]!.GetValue<bool>(), Is.True, report.ToJsonString());
    }

    /// <summary>Pushes an image as a client does, each step tried again (for up to a minute) when the answer is not the one wanted; returns why it gave up, or null.</summary>
    private static async Task<string?> PushAsync(HttpClient client, TestManifest image, IReadOnlyList<TestBlob> blobs, string tag)
    {
        foreach (var blob in blobs)
        {
            if (await TryAsync(async () =>
                {
                    using var start = await client.PostAsync("/v2/app/blobs/uploads/", null);
                    if (start.StatusCode != HttpStatusCode.Accepted)
                    {
                        return $"upload start answered {(int)start.StatusCode}";
                    }

                    using var put = await client.PutAsync(WithDigest(start.Headers.Location!.ToString(), blob.Digest), new ByteArrayContent(blob.Bytes));
                    return put.StatusCode == HttpStatusCode.Created ? null : $"blob PUT answered {(int)put.StatusCode}";
                }) is { } failure)
            {
                return failure;
            }
        }

        return await TryAsync(async () =>
        {
            var content = new ByteArrayContent(image.Bytes);
            content.Headers.ContentType = new MediaTypeHeaderValue(image.MediaType);
            using var put = await client.PutAsync($"/v2/app/manifests/{tag}", content);
            return put.StatusCode == HttpStatusCode.Created ? null : $"manifest PUT answered {(int)put.StatusCode}: {await put.Content.ReadAsStringAsync()}";
        });
    }

    private static async Task<string?> TryAsync(Func<Task<string?>> step)
    {
        // Bounded by time, not by count: refusals come quickly while the balancer still sends to the dead server.
        var deadline = DateTimeOffset.UtcNow + Bound;
        string? last = null;
        while (DateTimeOffset.UtcNow < deadline)
        {
            try
            {
                if ((last = await step()) is null)
                {
                    return null;
                }
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }

            await Task.Delay(RetryPause);
        }

        return $"gave up after {Bound.TotalSeconds} s: {last}";
    }
}
