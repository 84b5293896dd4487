using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Berth.Tests.Api;
using Berth.Tests.Support;
using Docker.Common.Digests;
using NUnit.Framework;

namespace Berth.Tests.Orphans;

/// <summary>
/// Orphan collection in a loop, with no grace period, against the real server process while clients push and
/// pull through the registry API: one client pushes images that share layers with others and removes them at
/// once (making orphans of shared layers again and again), two push images they keep, one pulls what was
/// acknowledged. Every pull must succeed, and afterwards every acknowledged image must be whole.
/// </summary>
[TestFixture]
[Category("EndToEnd")]
public sealed class CollectionUnderLoadTests() : ApiFixture(ServerKind.Process)
{
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(15);

    protected override IReadOnlyDictionary<string, string>? Settings => new Dictionary<string, string>
    {
        ["Berth:Lifecycle:OrphanGracePeriod"] = "00:00:00",
    };

    [Test]
    public async Task AcknowledgedImagesStayWhole_AndPullsSucceed_WhileCollectionRuns()
    {
        var keepers = new[] { "load/keep-a", "load/keep-b" };
        const string Churn = "load/churn";
        foreach (var repository in keepers.Append(Churn))
        {
            await CreateRepositoryAsync(repository);
        }

        // Shared layers: every image takes some, so they are orphaned by the churn and needed again by the next push.
        var pool = Enumerable.Range(0, 6).Select(i => TestBlob.Random(8 * 1024 * (i + 1))).ToArray();
        var acknowledged = new ConcurrentBag<(string Repository, string Tag, TestManifest Image)>();
        var counts = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        using var stop = new CancellationTokenSource(Duration);

        async Task ChurnAsync()
        {
            var registry = new RegistryClient(Host.CreateClient());
            for (var round = 0; !stop.IsCancellationRequested; round++)
            {
                var image = Image(pool, round);
                await PushAsync(registry, Churn, image, "churn");
                await PullAsync(registry, Churn, "churn", image);
                await RemoveAllAsync(Churn);
                counts.AddOrUpdate("churn", 1, (_, n) => n + 1);
            }
        }

        async Task KeepAsync(string repository)
        {
            var registry = new RegistryClient(Host.CreateClient());
            for (var round = 0; !stop.IsCancellationRequested; round++)
            {
                var image = Image(pool, round);
                var tag = $"t{round}";
                await PushAsync(registry, repository, image, tag);
                acknowledged.Add((repository, tag, image));
                await PullAsync(registry, repository, tag, image);
                counts.AddOrUpdate("pulls", 1, (_, n) => n + 1);
            }
        }

        async Task PullAcknowledgedAsync()
        {
            var registry = new RegistryClient(Host.CreateClient());
            while (!stop.IsCancellationRequested)
            {
                var images = acknowledged.ToArray();
                if (images.Length == 0)
                {
                    await Task.Delay(20);
                    continue;
                }

                var (repository, tag, image) = images[Random.Shared.Next(images.Length)];
                await PullAsync(registry, repository, tag, image);
                counts.AddOrUpdate("pulls", 1, (_, n) => n + 1);
            }
        }

        async Task CollectAsync()
        {
            while (!stop.IsCancellationRequested)
            {
                using var response = await Api.Http.DeleteAsync($"{ContentApiClient.Root}/content/orphans/");
                var report = (await ContentApiClient.ReadAsync(response, HttpStatusCode.Accepted))["result"]!;
                counts.AddOrUpdate("collections", 1, (_, n) => n + 1);
                counts.AddOrUpdate("collected", report["units_removed_total"]!.GetValue<long>(), (_, n) => n + report["units_removed_total"]!.GetValue<long>());
                counts.AddOrUpdate("in use", report["skipped_in_use"]!.GetValue<long>(), (_, n) => n + report["skipped_in_use"]!.GetValue<long>());
            }
        }

        await Task.WhenAll([ChurnAsync(), .. keepers.Select(KeepAsync), PullAcknowledgedAsync(), CollectAsync()]);
        TestContext.Out.WriteLine(string.Join(", ", counts.OrderBy(c => c.Key).Select(c => $"{c.Key} {c.Value}")));

        var verifier = new RegistryClient(Host.CreateClient());
        foreach (var (repository, tag, image) in acknowledged)
        {
            await PullAsync(verifier, repository, tag, image);
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(acknowledged, Has.Count.GreaterThan(4), "too few images were pushed to mean anything");
            Assert.That(counts.GetValueOrDefault("churn"), Is.GreaterThan(2), "the churn hardly ran");
            Assert.That(counts.GetValueOrDefault("collections"), Is.GreaterThan(5), "collection hardly ran");
            Assert.That(counts.GetValueOrDefault("collected"), Is.GreaterThan(0), "collection never removed anything");
        }

        using var verify = await Api.Http.PostAsync($"{ContentApiClient.Root}/content/actions/verify/", null);
        var problems = (await ContentApiClient.ReadAsync(verify, HttpStatusCode.OK))["problems"]!.AsArray();
        Assert.That(problems, Is.Empty, problems.ToJsonString());
    }

    private static TestManifest Image(TestBlob[] pool, int round)
    {
        var shared = Enumerable.Range(0, 2).Select(_ => pool[Random.Shared.Next(pool.Length)]).DistinctBy(b => b.Digest).ToList();
        var unique = TestBlob.Random(4096 + round);
        var config = new TestBlob(System.Text.Encoding.UTF8.GetBytes($$"""{"architecture":"amd64","os":"linux","round":{{round}},"id":"{{Guid.NewGuid()}}"}"""), Docker.Common.MediaTypes.DockerImageConfig);
        var manifest = new Docker.Common.Manifests.ImageManifest
        {
            MediaType = Docker.Common.MediaTypes.DockerManifest,
            Config = config.Descriptor,
            Layers = [.. shared.Append(unique).Select(b => b.Descriptor)],
        };
        var bytes = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(manifest, Docker.Common.Manifests.DockerJsonContext.Default.ImageManifest);
        return new TestManifest(bytes, Docker.Common.MediaTypes.DockerManifest, [config, .. shared, unique]);
    }

    /// <summary>Pushes as clients do: a blob the repository already has (HEAD answers 200) is not sent again.</summary>
    private static async Task PushAsync(RegistryClient registry, string repository, TestManifest image, string tag)
    {
        foreach (var blob in image.Blobs)
        {
            using var head = await registry.SendAsync(HttpMethod.Head, $"/v2/{repository}/blobs/{blob.Digest}");
            if (head.StatusCode != HttpStatusCode.OK)
            {
                await registry.PushBlobAsync(repository, blob);
            }
        }

        using var response = await registry.PutManifestAsync(repository, tag, image.Bytes, image.MediaType);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), $"{repository}:{tag}: {await response.Content.ReadAsStringAsync()}");
    }

    private static async Task PullAsync(RegistryClient registry, string repository, string tag, TestManifest image)
    {
        using (var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/{repository}/manifests/{tag}"))
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(image.MediaType));
            using var manifest = await registry.Http.SendAsync(request);
            Assert.That(manifest.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"{repository}:{tag}");
            Assert.That(await manifest.Content.ReadAsByteArrayAsync(), Is.EqualTo(image.Bytes), $"{repository}:{tag}");
        }

        foreach (var blob in image.Blobs)
        {
            using var response = await registry.Http.GetAsync($"/v2/{repository}/blobs/{blob.Digest}");
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"{repository}:{tag} {blob.Digest}");
            Assert.That(Digest.Compute(await response.Content.ReadAsByteArrayAsync()), Is.EqualTo(blob.Digest), $"{repository}:{tag} {blob.Digest}");
        }
    }

    private async Task CreateRepositoryAsync(string registryName)
    {
        var id = registryName.Replace('/', '-');
        using (var response = await Api.PostJsonAsync("/repositories/", new JsonObject { ["id"] = id, ["registry_name"] = registryName }))
        {
            await ContentApiClient.ReadAsync(response, HttpStatusCode.Created);
        }

        foreach (var importer in new[] { "docker_blob_importer", "docker_manifest_importer" })
        {
            using var response = await Api.PostJsonAsync($"/repositories/{id}/importers/", new JsonObject { ["importer_type_id"] = importer });
            await ContentApiClient.ReadAsync(response, HttpStatusCode.Created);
        }
    }

    private async Task RemoveAllAsync(string registryName)
    {
        await Api.UnassociateAllAsync(registryName.Replace('/', '-'));
    }
}
