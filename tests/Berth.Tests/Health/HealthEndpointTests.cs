using System.Net;
using System.Text.Json.Nodes;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Health;

/// <summary><c>/healthz</c> and <c>/readyz</c> of the real server process, asked as a supervisor would: without credentials.</summary>
[NonParallelizable]
public sealed class HealthEndpointTests : FolderPerTest
{
    [Test]
    public async Task Healthz_Answers_AndReadyz_NamesEveryCheck_WithoutCredentials()
    {
        await using var server = await ServerProcess.StartAsync(Folder.Path, "--data-dir", Folder.Combine("data"));
        using var anonymous = server.CreateAnonymousClient();

        using var live = await anonymous.GetAsync("/healthz");
        using var ready = await anonymous.GetAsync("/readyz");
        using var head = await anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/readyz"));
        var body = JsonNode.Parse(await ready.Content.ReadAsStringAsync())!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(live.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(JsonNode.Parse(await live.Content.ReadAsStringAsync())!["status"]!.GetValue<string>(), Is.EqualTo("healthy"));
            Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.OK), body.ToJsonString());
            Assert.That(body["status"]!.GetValue<string>(), Is.EqualTo("healthy"));
            Assert.That(body["checks"]!.AsObject().Select(c => c.Key), Is.EquivalentTo(new[] { "started", "metadata_store", "content_store", "plugins" }));
            Assert.That(body["checks"]!["plugins"]!["description"]!.GetValue<string>(), Does.Contain("importer(s) loaded"));
            Assert.That(head.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(ready.Headers.CacheControl?.NoStore, Is.True);
        }
    }

    [Test]
    public async Task Readyz_Is503_NamingTheContentStore_WhenItsFolderIsGone_AndHealthzStillAnswers()
    {
        var dataDir = Folder.Combine("data");
        await using var server = await ServerProcess.StartAsync(Folder.Path, "--data-dir", dataDir);
        using var anonymous = server.CreateAnonymousClient();
        Directory.Delete(Path.Combine(dataDir, "content"), recursive: true);

        // As a balancer asks: often. The log says it once, not at every probe.
        for (var probe = 0; probe < 5; probe++)
        {
            using var again = await anonymous.GetAsync("/readyz");
        }

        using var ready = await anonymous.GetAsync("/readyz");
        using var live = await anonymous.GetAsync("/healthz");
        var body = JsonNode.Parse(await ready.Content.ReadAsStringAsync())!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), body.ToJsonString());
            Assert.That(body["status"]!.GetValue<string>(), Is.EqualTo("unhealthy"));
            Assert.That(body["checks"]!["content_store"]!["status"]!.GetValue<string>(), Is.EqualTo("unhealthy"));
            Assert.That(body["checks"]!["content_store"]!["description"]!.GetValue<string>(), Does.Contain("content folder is missing"));
            Assert.That(body["checks"]!["metadata_store"]!["status"]!.GetValue<string>(), Is.EqualTo("healthy"));
            Assert.That(live.StatusCode, Is.EqualTo(HttpStatusCode.OK), "liveness checks nothing: the process answers");
        }

        var log = server.Output.Split('\n');
        using (Assert.EnterMultipleScope())
        {
            Assert.That(log.Where(l => l.Contains("Not ready: /readyz answers 503", StringComparison.Ordinal)), Has.Exactly(1).Contains("content_store: the content folder is missing"));
            Assert.That(log.Where(l => l.Contains("Health check", StringComparison.Ordinal)), Is.Empty, "a line per probe");
        }

        Directory.CreateDirectory(Path.Combine(dataDir, "content"));
        using var recovered = await anonymous.GetAsync("/readyz");
        Assert.That(recovered.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await Eventually.WaitAsync(() => server.Output.Contains("Ready: /readyz answers 200", StringComparison.Ordinal), TimeSpan.FromSeconds(10)), Is.True, "and once when it is ready again");
    }
}
