using System.Text.Json.Nodes;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Cli;

/// <summary>
/// <c>berth remote set|show</c>, <c>berth sync --wait</c> and <c>berth task list|show|cancel</c> against the real server,
/// syncing from Debian's docker-registry.
/// </summary>
[NonParallelizable]
public sealed class CliSyncTests : CliFixture
{
    private TempFolder _upstreamFolder = null!;
    private ReferenceRegistry _upstream = null!;

    [OneTimeSetUp]
    public async Task StartUpstream()
    {
        _upstreamFolder = new TempFolder();
        _upstream = await ReferenceRegistry.StartAsync(_upstreamFolder.Path);
    }

    [OneTimeTearDown]
    public async Task StopUpstream()
    {
        await _upstream.DisposeAsync();
        _upstreamFolder.Dispose();
    }

    [Test]
    public async Task RemoteSet_OnDemand_MakesAPullThroughCache_ThatAPullFills()
    {
        var name = "library/app" + Guid.NewGuid().ToString("N")[..8];
        var image = TestManifest.DockerImage(layers: 1);
        await _upstream.Client.PushImageAsync(name, image, "1.0");
        var repo = NewRepositoryId();
        await Api.PostJsonAsync("/repositories/", new JsonObject { ["id"] = repo, ["importer_type_id"] = "docker_importer" });

        var set = await Cli.RunAsync(
            null, "remote", "set", "--repo", repo, "--feed", _upstream.Address.AbsoluteUri, "--upstream", name, "--on-demand", "true", "--tag-refresh", "0",
            "--platform", "linux/amd64", "--platform", "linux/arm64/v8");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(set.ExitCode, Is.Zero, set.ToString());
            Assert.That(set.Output, Does.Contain("on_demand: true").And.Contain("tag_refresh_seconds: 0").And.Contain("""platforms: ["linux/amd64","linux/arm64/v8"]"""), set.ToString());
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/{repo}/manifests/1.0");
        request.Headers.Accept.ParseAdd(image.MediaType);
        using var pulled = await Api.Http.SendAsync(request);
        Assert.That(await pulled.Content.ReadAsByteArrayAsync(), Is.EqualTo(image.Bytes), "pulled through the cache");

        var refused = await Cli.RunAsync(null, "remote", "set", "--repo", repo, "--tag-refresh", "-1");
        Assert.That(refused.ExitCode, Is.Not.Zero, refused.ToString());
        Assert.That(refused.Error, Does.Contain("tag_refresh_seconds"), refused.ToString());
    }

    [Test]
    public async Task RemoteSet_ThenSyncWait_BringsTheTags_AndTheTaskIsListed()
    {
        var name = "library/app" + Guid.NewGuid().ToString("N")[..8];
        var (one, two) = (TestManifest.DockerImage(layers: 1), TestManifest.DockerImage(layers: 2));
        await _upstream.Client.PushImageAsync(name, one, "1.0");
        await _upstream.Client.PushImageAsync(name, two, "2.0");
        await _upstream.Client.PushImageAsync(name, two, "2.0-rc");
        var repo = NewRepositoryId();
        await Api.PostJsonAsync("/repositories/", new JsonObject { ["id"] = repo, ["importer_type_id"] = "docker_importer" });

        Cli.Environment["BERTH_UPSTREAM_PASSWORD"] = "upstream-secret-1";
        var set = await Cli.RunAsync(
            null, "remote", "set", "--repo", repo, "--feed", _upstream.Address.AbsoluteUri, "--upstream", name, "--include", "*", "--exclude", "*-rc",
            "--upstream-username", "robot");
        var changed = await Cli.RunAsync(null, "remote", "set", "--repo", repo, "--max-downloads", "2", "--mirror", "true");
        var shown = await Cli.RunAsync(null, "remote", "show", "--repo", repo);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(set.ExitCode, Is.Zero, set.ToString());
            Assert.That(set.Output, Does.Contain($"upstream_name: {name}").And.Contain("username: robot").And.Not.Contain("upstream-secret-1"), set.ToString());
            Assert.That(set.Output, Does.Contain($"berth sync {repo}"));
            Assert.That(changed.ExitCode, Is.Zero, changed.ToString());
            Assert.That(shown.Output, Does.Contain("max_concurrent_downloads: 2").And.Contain("mirror: true").And.Contain($"upstream_name: {name}").And.Not.Contain("upstream-secret-1"), shown.ToString());
        }

        var synced = await Cli.RunAsync(null, "sync", repo, "--wait");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(synced.ExitCode, Is.Zero, synced.ToString());
            Assert.That(synced.Output, Does.Contain($"synced {repo}: 2 tags added").And.Contain("2 manifests and"), synced.ToString());
            Assert.That(synced.Output, Does.Contain("finished: finished; tags 2/2"), "the progress ends with the finished task: " + synced);
        }

        var listed = await Cli.RunAsync(null, "task", "list", "--repo", repo, "--state", "finished");
        var started = await Cli.RunAsync(null, "sync", repo, "--quiet");
        var taskId = started.Output.Trim();
        var followed = await Cli.RunAsync(null, "task", "show", taskId, "--follow", "--quiet");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(listed.Output, Does.Contain(repo).And.Contain("sync").And.Contain("finished"), listed.ToString());
            Assert.That(listed.Output, Does.Contain("1 task"));
            Assert.That(started.ExitCode, Is.Zero, started.ToString());
            Assert.That(taskId, Does.Match("^[0-9a-f]{32}$"), started.ToString());
            Assert.That(followed.ExitCode, Is.Zero, followed.ToString());
            Assert.That(JsonNode.Parse(followed.Output)!["result"]!["tags_unchanged"]!.GetValue<long>(), Is.EqualTo(2), followed.ToString());
        }
    }

    [Test]
    public async Task ASyncThatFails_ExitsTwo_WithTheServersReason_AndUnknownTasksAreRefused()
    {
        // Both upload importers and no sync importer, as berth repo create --docker makes a repository.
        var repo = NewRepositoryId();
        await Api.CreateDockerRepositoryAsync(repo);
        var nowhere = await Cli.RunAsync(null, "remote", "show", "--repo", repo);
        var unset = await Cli.RunAsync(null, "sync", repo, "--wait");
        await Cli.RunAsync(null, "remote", "set", "--repo", repo, "--feed", $"http://127.0.0.1:{LoopbackPorts.Take()}", "--upstream", "library/gone");
        var failed = await Cli.RunAsync(null, "sync", repo, "--wait");
        var unknown = await Cli.RunAsync(null, "task", "cancel", "no-such-task");
        var noPassword = await Cli.RunAsync(null, "remote", "set", "--repo", repo, "--upstream-username", "robot");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(nowhere.ExitCode, Is.EqualTo(2), nowhere.ToString());
            Assert.That(nowhere.Error, Does.Contain("berth remote set"), nowhere.ToString());
            Assert.That(unset.ExitCode, Is.EqualTo(2), unset.ToString());
            Assert.That(unset.Error, Does.Contain("docker_sync_importer"), unset.ToString());
            Assert.That(failed.ExitCode, Is.EqualTo(2), failed.ToString());
            Assert.That(failed.Error, Does.Contain("failed").And.Contain("importer_config.feed").And.Contain("BRT0112"), failed.ToString());
            Assert.That(unknown.ExitCode, Is.EqualTo(2), unknown.ToString());
            Assert.That(noPassword.ExitCode, Is.EqualTo(1), noPassword.ToString());
            Assert.That(noPassword.Error, Does.Contain("BERTH_UPSTREAM_PASSWORD"), noPassword.ToString());
        }
    }
}
