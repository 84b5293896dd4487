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
    }
}
