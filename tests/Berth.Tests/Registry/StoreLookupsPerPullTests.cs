using System.Net;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Registry;

/// <summary>
/// What a pull costs the metadata store once the lookups every request makes (the repository by its name, the caller)
/// are served from memory: a manifest GET by tag, just after a push changed the repository's content, makes one
/// store lookup (the tag with the manifest it names), and none when nothing changed since (issue 11, hot reads).
/// Counted by the server's own store-read counter, in a server process of its own.
/// </summary>
[NonParallelizable]
public sealed class StoreLookupsPerPullTests : FolderPerTest
{
    [Test]
    public async Task ManifestGetByTag_AfterAPush_MakesOneStoreLookup_AndNoneWhenRepeated()
    {
        await using var server = await ServerProcess.StartAsync(Folder.Path, "--data-dir", Folder.Combine("data"));
        var http = server.CreateClient();
        var registry = new RegistryClient(http);
        var (first, latest) = (TestManifest.DockerImage(layers: 1), TestManifest.DockerImage(layers: 1));
        await registry.PushImageAsync("lookups/app", first, "first");
        await GetManifestAsync(registry, "first");

        // Pushed after the repository and the caller were looked up: the content changed, the rest did not.
        await registry.PushImageAsync("lookups/app", latest, "latest");
        var readsBefore = (await MetadataFlushes.FiguresAsync(http)).Reads;
        var control = (await MetadataFlushes.FiguresAsync(http)).Reads;
        await GetManifestAsync(registry, "latest");
        var afterFirstGet = (await MetadataFlushes.FiguresAsync(http)).Reads;
        await GetManifestAsync(registry, "latest");
        var afterSecondGet = (await MetadataFlushes.FiguresAsync(http)).Reads;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(control - readsBefore, Is.Zero, "reading the figures reads the store: the counts below would be wrong");
            Assert.That(afterFirstGet - control, Is.EqualTo(1), "store lookups of a manifest GET by tag after a push");
            Assert.That(afterSecondGet - afterFirstGet, Is.Zero, "store lookups of the same GET again");
        }
    }

    private static async Task GetManifestAsync(RegistryClient registry, string tag)
    {
        using var response = await registry.SendAsync(HttpMethod.Get, $"/v2/lookups/app/manifests/{tag}", configure: request =>
            request.Headers.Accept.ParseAdd("application/vnd.docker.distribution.manifest.v2+json"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }
}
