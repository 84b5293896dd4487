using System.Net;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.EndToEnd;

/// <summary>
/// Group commit: imports that commit while flushes are held are answered only once a flush covers them, they share it,
/// and the real server process, killed with SIGKILL right after their acknowledgements, has all of them after a restart.
/// </summary>
[NonParallelizable]
[Category("Crash")]
public sealed class SharedFlushTests : FolderPerTest
{
    private const int Pushers = 8;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Test]
    public async Task ImportsCommittedTogether_AreAnsweredOnlyAfterTheFlushTheyShare_AndSurviveAKillRightAfter()
    {
        var dataDir = Folder.Combine("data");
        var pushes = Enumerable.Range(0, Pushers)
            .Select(i => (Name: $"flush/p{i}", Image: TestManifest.OciImage(layers: 1, layerSize: 4096), Tag: "v1"))
            .ToList();
        await using (var server = await ServerProcess.StartAsync(Folder.Path, "--data-dir", dataDir, "--Berth:Testing:HoldableFlushes=true"))
        {
            using var http = server.CreateClient();
            await Task.WhenAll(pushes.Select(p => PushBlobsAsync(http, p.Name, p.Image)));

            var before = await MetadataFlushes.FiguresAsync(http);
            await MetadataFlushes.HoldAsync(http, held: true);
            var manifests = pushes.Select(p => PushManifestAsync(http, p.Name, p.Image, p.Tag)).ToList();

            // Every manifest's import commits while the flushes are held; none may be answered before one covers it.
            Assert.That(
                await Eventually.WaitAsync(async () => (await MetadataFlushes.FiguresAsync(http)).Writes - before.Writes >= Pushers, Bound),
                Is.True,
                "the imports did not commit");
            Assert.That(manifests.Where(m => m.IsCompleted), Is.Empty, "a push answered before its import was durable");

            await MetadataFlushes.HoldAsync(http, held: false);
            await Task.WhenAll(manifests).WaitAsync(Bound);
            var after = await MetadataFlushes.FiguresAsync(http);
            Assert.That(after.Flushes - before.Flushes, Is.LessThan(Pushers), "the imports did not share flushes");

            // Killed at once: nothing the server does after its answers may be needed for them.
            await server.KillAsync();
        }

        await using var restarted = await ServerProcess.StartAsync(Folder.Path, "--data-dir", dataDir);
        using (var http = restarted.CreateClient())
        {
            foreach (var (name, image, tag) in pushes)
            {
                using var manifest = await http.GetAsync($"/v2/{name}/manifests/{tag}");
                Assert.That(manifest.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"acknowledged {name}:{tag}");
                Assert.That(await manifest.Content.ReadAsByteArrayAsync(), Is.EqualTo(image.Bytes));
                foreach (var blob in image.Blobs)
                {
                    using var response = await http.GetAsync($"/v2/{name}/blobs/{blob.Digest}");
                    Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"acknowledged blob {blob.Digest} of {name}");
                }
            }
        }

        Assert.That(await restarted.DrainErrorsAsync(), Is.Empty);
        await restarted.StopAsync();
    }

    private static async Task PushBlobsAsync(HttpClient http, string name, TestManifest image)
    {
        foreach (var blob in image.Blobs)
        {
            await new RegistryClient(http).PushBlobAsync(name, blob);
        }
    }

    private static async Task PushManifestAsync(HttpClient http, string name, TestManifest image, string tag)
    {
        using var pushed = await new RegistryClient(http).PutManifestAsync(name, tag, image.Bytes, image.MediaType);
        Assert.That(pushed.StatusCode, Is.EqualTo(HttpStatusCode.Created), await pushed.Content.ReadAsStringAsync());
    }
}
