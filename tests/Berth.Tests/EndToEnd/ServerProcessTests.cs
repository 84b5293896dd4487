using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.EndToEnd;

/// <summary>The whole flow against the real server process, then a restart, then everything still there.</summary>
[NonParallelizable]
public sealed class ServerProcessTests : FolderPerTest
{
    [Test]
    public async Task WholeFlow_ThenRestart_EverythingAcknowledgedIsStillThere()
    {
        var dataDir = Folder.Combine("data");
        var amd64 = TestManifest.DockerImage(layers: 2, layerSize: 3 * 1024 * 1024);
        var arm64 = TestManifest.OciImage(layers: 1, layerSize: 100_000);
        var list = TestManifest.OciIndex(amd64, arm64);
        string pendingUpload;
        var pendingBlob = TestBlob.Random(2 * 1024 * 1024);

        await using (var server = await ServerProcess.StartAsync(Folder.Path, "--data-dir", dataDir))
        {
            using var http = server.CreateClient();
            var api = new ContentApiClient(http);

            var status = await api.GetJsonAsync("/status/");
            Assert.That(status["database_connection"]!["connected"]!.GetValue<bool>(), Is.True);
            Assert.That((await api.GetJsonAsync("/plugins/importers/")).AsArray(), Has.Count.EqualTo(3), "the docker importers, the sync importer among them");

            await api.CreateDockerRepositoryAsync("app");
            foreach (var blob in amd64.Blobs.Concat(arm64.Blobs))
            {
                var uploadId = await api.UploadAsync(blob.Bytes, segmentSize: 1024 * 1024);
                using var import = await api.ImportAsync("app", uploadId, "docker_blob", new JsonObject { ["digest"] = blob.Digest.ToString() });
                await ContentApiClient.ReadAsync(import, HttpStatusCode.Accepted);
            }

            await api.ImportManifestAsync("app", amd64, tag: "1.0-amd64");
            await api.ImportManifestAsync("app", arm64);
            await api.ImportManifestAsync("app", list, tag: "1.0");
            using (var tag = await api.ImportAsync("app", null, "docker_tag", new JsonObject { ["name"] = "latest" }, new JsonObject { ["manifest_digest"] = list.Digest.ToString() }))
            {
                await ContentApiClient.ReadAsync(tag, HttpStatusCode.Accepted);
            }

            // Half an upload, acknowledged segment by segment, left for after the restart.
            pendingUpload = await api.CreateUploadAsync();
            using (var half = await api.PutSegmentAsync(pendingUpload, 0, pendingBlob.Bytes.AsMemory(0, 1024 * 1024)))
            {
                await ContentApiClient.ReadAsync(half, HttpStatusCode.OK);
            }

            await server.StopAsync();
        }

        await using (var restarted = await ServerProcess.StartAsync(Folder.Path, "--data-dir", dataDir))
        {
            using var http = restarted.CreateClient();
            var api = new ContentApiClient(http);

            var repository = await api.GetJsonAsync("/repositories/app/?details=true");
            var counts = repository["content_unit_counts"]!;
            using (Assert.EnterMultipleScope())
            {
                Assert.That(counts["docker_blob"]!.GetValue<long>(), Is.EqualTo(5));
                Assert.That(counts["docker_manifest"]!.GetValue<long>(), Is.EqualTo(2));
                Assert.That(counts["docker_manifest_list"]!.GetValue<long>(), Is.EqualTo(1));
                Assert.That(counts["docker_tag"]!.GetValue<long>(), Is.EqualTo(3));
                Assert.That(repository["importers"]!.AsArray(), Has.Count.EqualTo(2));
            }

            var tags = (await api.SearchUnitsAsync("app", "docker_tag")).ToDictionary(
                t => t!["metadata"]!["name"]!.GetValue<string>(), t => t!["metadata"]!["manifest_digest"]!.GetValue<string>());
            Assert.That(tags, Is.EquivalentTo(new Dictionary<string, string>
            {
                ["1.0-amd64"] = amd64.Digest.ToString(),
                ["1.0"] = list.Digest.ToString(),
                ["latest"] = list.Digest.ToString(),
            }));

            foreach (var content in amd64.Blobs.Select(b => (b.Digest, b.Bytes)).Concat([(list.Digest, list.Bytes), (amd64.Digest, amd64.Bytes)]))
            {
                var hex = content.Digest.Encoded;
                Assert.That(await File.ReadAllBytesAsync(Path.Combine(dataDir, "content", "sha256", hex[..2], hex)), Is.EqualTo(content.Bytes));
            }

            // The upload resumes where it was acknowledged and imports, though its running hash did not survive.
            Assert.That((await api.GetJsonAsync($"/content/uploads/{pendingUpload}/"))["size"]!.GetValue<long>(), Is.EqualTo(1024 * 1024));
            using (var rest = await api.PutSegmentAsync(pendingUpload, 1024 * 1024, pendingBlob.Bytes.AsMemory(1024 * 1024)))
            {
                await ContentApiClient.ReadAsync(rest, HttpStatusCode.OK);
            }

            using var import = await api.ImportAsync("app", pendingUpload, "docker_blob", new JsonObject { ["digest"] = pendingBlob.Digest.ToString() });
            await ContentApiClient.ReadAsync(import, HttpStatusCode.Accepted);
        }
    }

    [Test]
    public async Task DefaultDataFolder_IsDataInTheFolderTheServerIsStartedFrom()
    {
        await using (var server = await ServerProcess.StartAsync(Folder.Path))
        {
            using var http = server.CreateClient();
            await new ContentApiClient(http).CreateRepositoryAsync("here");
        }

        Assert.That(File.Exists(Folder.Combine("data", "berth.db")), Is.True);
    }

    [Test]
    public async Task BrokenPluginFile_StopsStartUp_NamingTheFileAndReason()
    {
        var conf = Folder.Combine("conf");
        Directory.CreateDirectory(conf);
        await File.WriteAllTextAsync(Path.Combine(conf, "docker_blob_importer.json"), """{"type_id": "docker_blob_importer", "assembly": "plugins/Missing/Missing.dll"}""");
        using var process = Process.Start(ServerProcess.StartInfo(Folder.Path, "--urls", "http://127.0.0.1:0", "--data-dir", Folder.Combine("data"), "--plugins-conf-dir", conf))!;
        var errors = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(process.ExitCode, Is.Not.Zero);
            Assert.That(await errors, Does.Contain("berth: cannot start: plugin file").And.Contain("docker_blob_importer.json").And.Contain("does not exist"));
            Assert.That(await output, Does.Not.Contain("Now listening"));
        }
    }

    [Test]
    public async Task SecondServerOnTheSameDataFolder_RefusesToStart_AndTheFirstGoesOn()
    {
        var dataDir = Folder.Combine("data");
        await using var first = await ServerProcess.StartAsync(Folder.Path, "--data-dir", dataDir);
        using var second = Process.Start(ServerProcess.StartInfo(Folder.Path, "--urls", "http://127.0.0.1:0", "--data-dir", dataDir))!;
        var errors = second.StandardError.ReadToEndAsync();
        _ = second.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await second.WaitForExitAsync(timeout.Token);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(second.ExitCode, Is.Not.Zero);
            Assert.That(await errors, Does.Contain("in use by another Berth server"));
        }

        using var http = first.CreateClient();
        await new ContentApiClient(http).CreateRepositoryAsync("still-served");
    }

    [Test]
    public async Task StaleTemporaryFiles_AreRemovedAtStart()
    {
        var dataDir = Folder.Combine("data");
        Directory.CreateDirectory(Path.Combine(dataDir, "tmp"));
        var stale = Path.Combine(dataDir, "tmp", "left-by-a-crash");
        await File.WriteAllTextAsync(stale, "partial");
        await using var server = await ServerProcess.StartAsync(Folder.Path, "--data-dir", dataDir);
        Assert.That(File.Exists(stale), Is.False);
    }
}
