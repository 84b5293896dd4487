using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Berth.Server.Storage.Migration;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.EndToEnd;

/// <summary>
/// <c>Berth.Server migrate</c>: an installation on the embedded store moves its metadata into PostgreSQL, and the
/// server started on PostgreSQL over the same data folder answers as before, verify included; a migration cut off
/// goes on where it stopped.
/// </summary>
[NonParallelizable]
public sealed class MigrateCommandTests : FolderPerTest
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(120);

    [Test]
    public async Task AnEmbeddedInstallation_MovesIntoPostgreSql_AndAnswersAsBefore()
    {
        var dataDir = Folder.Combine("data");
        JsonNode before;
        string token;
        await using (var server = await ServerProcess.StartAsync(Folder.Path, "--data-dir", dataDir))
        {
            using var http = server.CreateClient();
            var api = new ContentApiClient(http);
            token = await FillAsync(api);
            before = await SnapshotAsync(api);
            await server.StopAsync();
        }

        await using var metadata = await TestStorage.CreateAsync(StorageBackend.PostgreSql);
        var (exit, output) = await RunAsync(["migrate", "--data-dir", dataDir, .. metadata.Arguments]);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exit, Is.Zero, output);
            Assert.That(output, Does.Match(@"units: (\d+) of \1 ").And.Match(@"associations: (\d+) of \1 "), output);
            Assert.That(MigrationSteps.All.Select(step => $"  {step}: copied in"), Is.All.Matches<string>(line => output.Contains(line, StringComparison.Ordinal)), output);
        }

        var (again, againOutput) = await RunAsync(["migrate", "--data-dir", dataDir, .. metadata.Arguments]);
        Assert.That((again, MigrationSteps.All.All(step => againOutput.Contains($"  {step}: copied by an earlier run", StringComparison.Ordinal))), Is.EqualTo((0, true)), againOutput);

        await using (var server = await ServerProcess.StartAsync(Folder.Path, ["--data-dir", dataDir, .. metadata.Arguments]))
        {
            using var http = server.CreateClient();
            var api = new ContentApiClient(http);
            var after = await SnapshotAsync(api);
            Assert.That(JsonNode.DeepEquals(after, before), Is.True, $"before:\n{before}\nafter:\n{after}");

            // The administrator's token still signs in, and imports go on where the copied content ends.
            using var withToken = server.CreateAnonymousClient().SignIn(TestCredentials.AdminLogin, token);
            using (var asRobot = await withToken.GetAsync($"{ContentApiClient.Root}/repositories/app/"))
            {
                Assert.That(asRobot.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            }

            await api.ImportImageAsync("app", TestManifest.DockerImage(layers: 1), "later");
            var ids = (await api.SearchUnitsAsync("app")).Select(u => u!["unit_id"]!.GetValue<string>()).ToList();
            var copied = before["app"]!.AsArray().Select(u => u!["unit_id"]!.GetValue<string>()).ToList();
            Assert.That(ids, Has.Count.EqualTo(copied.Count + 4), "a layer, a config, a manifest and a tag more");
            Assert.That(ids.Take(copied.Count), Is.EqualTo(copied), "new associations come after the copied ones");
            await server.StopAsync();
        }

        var (verified, verifyOutput) = await RunAsync(["verify", "--data-dir", dataDir, .. metadata.Arguments]);
        Assert.That(verified, Is.Zero, verifyOutput);
        Assert.That(verifyOutput, Does.Contain("no problems"));
    }

    [Test]
    public async Task AnEmbeddedInstallation_MovesIntoPostgreSqlAndABucket_ContentIncluded_AndAnswersAsBefore()
    {
        var dataDir = Folder.Combine("data");
        JsonNode before;
        await using (var server = await ServerProcess.StartAsync(Folder.Path, "--data-dir", dataDir))
        {
            var api = new ContentApiClient(server.CreateClient());
            await FillAsync(api);
            before = await SnapshotAsync(api);
            await server.StopAsync();
        }

        var files = Directory.GetFiles(Path.Combine(dataDir, "content"), "*", SearchOption.AllDirectories);
        await using var storage = await TestStorage.CreateAsync(StorageBackend.PostgreSqlS3Streamed);
        var (exit, output) = await RunAsync(["migrate", "--data-dir", dataDir, .. storage.Arguments]);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exit, Is.Zero, output);
            Assert.That(output, Does.Contain($"content files: {files.Length} of {files.Length} ").And.Contain($"content: {files.Length} files ("));
        }

        // One object lost (a copy cut off before it), and its file since damaged: named, not copied; then mended, copied.
        var digest = before["app"]!.AsArray().First(u => u!["unit_type_id"]!.GetValue<string>() == "docker_blob")!["metadata"]!["digest"]!.GetValue<string>();
        var lost = files.Single(f => Path.GetFileName(f) == digest["sha256:".Length..]);
        var original = await File.ReadAllBytesAsync(lost);
        await storage.DeleteContentAsync(dataDir, digest);
        await File.WriteAllBytesAsync(lost, [.. original, 0]);
        var (damaged, damagedOutput) = await RunAsync(["migrate", "--data-dir", dataDir, .. storage.Arguments]);
        await File.WriteAllBytesAsync(lost, original);
        var (mended, mendedOutput) = await RunAsync(["migrate", "--data-dir", dataDir, .. storage.Arguments]);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(damaged, Is.EqualTo(1), damagedOutput);
            Assert.That(damagedOutput, Does.Contain("no longer match their digest").And.Contain(Path.GetFileName(lost)));
            Assert.That(mended, Is.Zero, mendedOutput);
            Assert.That(mendedOutput, Does.Contain($"content: 1 files (").And.Contain($"{files.Length - 1} already there"));
            Assert.That(mendedOutput, Does.Contain($"  {MigrationSteps.Content}: copied by an earlier run"));
            Assert.That(await storage.ReadContentAsync(dataDir, digest), Is.EqualTo(original));
        }

        // The server no longer needs the data folder's content/.
        Directory.Move(Path.Combine(dataDir, "content"), Folder.Combine("content-aside"));
        await using (var server = await ServerProcess.StartAsync(Folder.Path, ["--data-dir", dataDir, .. storage.Arguments]))
        {
            using var http = server.CreateClient();
            var after = await SnapshotAsync(new ContentApiClient(http));
            Assert.That(JsonNode.DeepEquals(after, before), Is.True, $"before:\n{before}\nafter:\n{after}");
            using var pulled = await http.GetAsync($"/v2/app/blobs/{digest}");
            Assert.That(await pulled.Content.ReadAsByteArrayAsync(), Is.EqualTo(original));
            await server.StopAsync();
        }

        var (verified, verifyOutput) = await RunAsync(["verify", "--data-dir", dataDir, .. storage.Arguments]);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(verified, Is.Zero, verifyOutput);
            Assert.That(verifyOutput, Does.Contain("no problems"));
        }
    }

    [Test]
    public async Task AMigrationCutOff_GoesOnWhereItStopped()
    {
        var dataDir = Folder.Combine("data");
        await using (var server = await ServerProcess.StartAsync(Folder.Path, "--data-dir", dataDir))
        {
            using var http = server.CreateClient();
            await FillAsync(new ContentApiClient(http));
            await server.StopAsync();
        }

        await using var complete = await TestStorage.CreateAsync(StorageBackend.PostgreSql);
        await using var cutOff = await TestStorage.CreateAsync(StorageBackend.PostgreSql);
        Assert.That((await RunAsync(["migrate", "--data-dir", dataDir, .. complete.Arguments])).Exit, Is.Zero);
        Assert.That((await RunAsync(["migrate", "--data-dir", dataDir, .. cutOff.Arguments])).Exit, Is.Zero);

        // As if the second had stopped halfway through the associations: what it had not committed is not there.
        await PostgreSqlCluster.ExecuteAsync(
            cutOff.ConnectionString!,
            $"""
            DELETE FROM berth_migration_steps WHERE step IN ('{MigrationSteps.Content}', '{MigrationSteps.HistoryAndState}');
            DELETE FROM associations WHERE seq > (SELECT max(seq) / 2 FROM associations);
            DELETE FROM tag_history; DELETE FROM events; DELETE FROM event_cursors; DELETE FROM uploads; DELETE FROM ended_sessions;
            """);
        var (exit, output) = await RunAsync(["migrate", "--data-dir", dataDir, .. cutOff.Arguments]);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exit, Is.Zero, output);
            Assert.That(output, Does.Contain($"  {MigrationSteps.Access}: copied by an earlier run").And.Contain($"  {MigrationSteps.Content}: copied in"));
        }

        const string Everything = """
            SELECT json_build_array(
                (SELECT json_agg(json_build_array(repo_id, unit_id, seq, created, updated) ORDER BY seq) FROM associations),
                (SELECT json_agg(json_build_array(id, updated, released, unit_references) ORDER BY id) FROM units),
                (SELECT json_agg(json_build_array(repo_id, tag, at, actor, old_digest, new_digest) ORDER BY id) FROM tag_history),
                (SELECT json_agg(json_build_array(login, password_hash) ORDER BY login) FROM users),
                (SELECT json_agg(id ORDER BY id) FROM tokens))::text
            """;
        Assert.That(await PostgreSqlCluster.ScalarAsync<string>(cutOff.ConnectionString!, Everything), Is.EqualTo(await PostgreSqlCluster.ScalarAsync<string>(complete.ConnectionString!, Everything)));
    }

    [Test]
    public async Task IntoADatabaseThatHoldsOtherData_OrWithoutPostgreSql_Refuses()
    {
        var dataDir = Folder.Combine("data");
        await using (var server = await ServerProcess.StartAsync(Folder.Path, "--data-dir", dataDir))
        {
            await server.StopAsync();
        }

        await using var used = await TestStorage.CreateAsync(StorageBackend.PostgreSql);
        await using (var server = await ServerProcess.StartAsync(Folder.Path, ["--data-dir", Folder.Combine("other"), .. used.Arguments]))
        {
            await server.StopAsync();
        }

        var (exit, output) = await RunAsync(["migrate", "--data-dir", dataDir, .. used.Arguments]);
        var (withoutProvider, withoutOutput) = await RunAsync(["migrate", "--data-dir", dataDir]);
        var (nothing, nothingOutput) = await RunAsync(["migrate", "--data-dir", Folder.Combine("missing"), .. used.Arguments]);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exit, Is.EqualTo(2), output);
            Assert.That(output, Does.Contain("migrate into an empty database"));
            Assert.That(withoutProvider, Is.EqualTo(2), withoutOutput);
            Assert.That(withoutOutput, Does.Contain("--Berth:Metadata:Provider=PostgreSql"));
            Assert.That(nothing, Is.EqualTo(2), nothingOutput);
            Assert.That(nothingOutput, Does.Contain("there is no embedded metadata"));
            Assert.That(Directory.Exists(Folder.Combine("missing")), Is.False, "a folder with nothing to copy is left as it was");
        }
    }

    /// <summary>Two repositories, images, a moved tag, a retention policy, a user with a token, an open upload; returns the token.</summary>
    private static async Task<string> FillAsync(ContentApiClient api)
    {
        await api.CreateDockerRepositoryAsync("app");
        await api.CreateDockerRepositoryAsync("mirror");
        await api.ImportImageAsync("app", TestManifest.DockerImage(layers: 1), "v1");
        var second = TestManifest.DockerImage(layers: 2);
        await api.ImportImageAsync("app", second, "v1");
        await api.ImportImageAsync("mirror", second, "stable");
        using (var policy = await api.Http.PutAsync(
            $"{ContentApiClient.Root}/repositories/app/retention/", new StringContent("""{"tags": [{"pattern": "v*", "keep": 5}]}""", System.Text.Encoding.UTF8, "application/json")))
        {
            Assert.That(policy.IsSuccessStatusCode, Is.True, await policy.Content.ReadAsStringAsync());
        }

        using (var user = await api.PostJsonAsync("/users/", new JsonObject { ["login"] = "robot", ["password"] = "robot-password-1", ["grants"] = new JsonArray(new JsonObject { ["pattern"] = "app", ["actions"] = new JsonArray("pull") }) }))
        {
            await ContentApiClient.ReadAsync(user, HttpStatusCode.Created);
        }

        using (var userMetadata = await api.Http.PutAsync(
            $"{ContentApiClient.Root}/content/units/docker_blob/{await FirstBlobAsync(api)}/pulp_user_metadata/",
            new StringContent("""{"team": "builds", "reviewed": true}""", System.Text.Encoding.UTF8, "application/json")))
        {
            Assert.That(userMetadata.IsSuccessStatusCode, Is.True, await userMetadata.Content.ReadAsStringAsync());
        }

        await api.CreateUploadAsync();
        using var minted = await api.PostJsonAsync("/users/admin/tokens/", new JsonObject { ["name"] = "ci" });
        return (await ContentApiClient.ReadAsync(minted, HttpStatusCode.Created))["token"]!.GetValue<string>();
    }

    /// <summary>What the APIs show of everything the fill wrote.</summary>
    private static async Task<JsonNode> SnapshotAsync(ContentApiClient api) => new JsonObject
    {
        ["repositories"] = await api.GetJsonAsync("/repositories/?importers=true"),
        ["app"] = await api.SearchUnitsAsync("app"),
        ["mirror"] = await api.SearchUnitsAsync("mirror"),
        ["history"] = await api.GetJsonAsync("/repositories/app/tags/v1/history/"),
        ["retention"] = await api.GetJsonAsync("/repositories/app/retention/"),
        ["users"] = await api.GetJsonAsync("/users/"),
        ["tokens"] = await api.GetJsonAsync("/users/admin/tokens/"),
        ["uploads"] = await api.GetJsonAsync("/content/uploads/"),
        ["user_metadata"] = await api.GetJsonAsync($"/content/units/docker_blob/{await FirstBlobAsync(api)}/pulp_user_metadata/"),
    };

    private static async Task<string> FirstBlobAsync(ContentApiClient api) =>
        (await api.SearchUnitsAsync("app", "docker_blob"))[0]!["unit_id"]!.GetValue<string>();

    private async Task<(int Exit, string Output)> RunAsync(string[] arguments)
    {
        using var process = Process.Start(ServerProcess.StartInfo(Folder.Path, arguments))!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var bound = new CancellationTokenSource(Bound);
        await process.WaitForExitAsync(bound.Token);
        return (process.ExitCode, await output + await error);
    }
}
