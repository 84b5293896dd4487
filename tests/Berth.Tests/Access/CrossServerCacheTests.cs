using System.Net;
using System.Text.Json.Nodes;
using Berth.Tests.Support;
using Npgsql;
using NUnit.Framework;

namespace Berth.Tests.Access;

/// <summary>
/// Two servers on one PostgreSQL database: each remembers users, tokens, grants and repositories, and what the other
/// changes holds on it within a second (issue 12: "a revoked token or removed grant holds everywhere within a
/// second"), also after the connection that hears of changes was cut.
/// </summary>
[NonParallelizable]
public sealed class CrossServerCacheTests : FolderPerTest
{
    private static readonly TimeSpan WithinASecond = TimeSpan.FromSeconds(1);
    private TestStorage _metadata = null!;
    private ServerProcess _first = null!;
    private ServerProcess _second = null!;

    [SetUp]
    public async Task StartTwoServers()
    {
        _metadata = await TestStorage.CreateAsync(StorageBackend.PostgreSql);

        // One after the other: the first creates the administrator both sign in as.
        _first = await ServerProcess.StartAsync(Folder.Path, ["--data-dir", Folder.Combine("first"), .. _metadata.Arguments]);
        _second = await ServerProcess.StartAsync(Folder.Path, ["--data-dir", Folder.Combine("second"), .. _metadata.Arguments]);
    }

    [TearDown]
    public async Task StopServers()
    {
        foreach (var server in new[] { _first, _second }.Where(s => s is not null))
        {
            Assert.That(await server.DrainErrorsAsync(), Is.Empty, "the server logged errors");
            await server.DisposeAsync();
        }

        await _metadata.DisposeAsync();
    }

    [Test]
    public async Task ARevokedToken_ARemovedGrant_AndADeletedRepository_HoldOnTheOtherServer_WithinASecond()
    {
        using var firstAdmin = _first.CreateClient();
        var first = new ContentApiClient(firstAdmin);
        await first.CreateDockerRepositoryAsync("app");
        await CreateUserAsync(first, "dev", new JsonObject { ["pattern"] = "app", ["actions"] = new JsonArray("pull") });
        using var devOnFirst = _first.CreateAnonymousClient().SignIn("dev", "dev-password-1");
        var token = await MintTokenAsync(devOnFirst, "dev");

        using var tokenOnSecond = _second.CreateAnonymousClient().SignIn("dev", token);
        using var passwordOnSecond = _second.CreateAnonymousClient().SignIn("dev", "dev-password-1");
        using var adminOnSecond = _second.CreateClient();
        foreach (var client in new[] { tokenOnSecond, passwordOnSecond, adminOnSecond, tokenOnSecond, passwordOnSecond, adminOnSecond })
        {
            Assert.That(await StatusAsync(client, "/repositories/app/"), Is.EqualTo(HttpStatusCode.OK), "served, and remembered");
        }

        var tokenId = (await first.GetJsonAsync("/users/dev/tokens/")).AsArray().Single()!["id"]!.GetValue<string>();
        using (var revoked = await firstAdmin.DeleteAsync($"{ContentApiClient.Root}/users/dev/tokens/{tokenId}/"))
        {
            Assert.That(revoked.IsSuccessStatusCode, Is.True);
        }

        await AssertWithinASecondAsync(tokenOnSecond, "/repositories/app/", HttpStatusCode.Unauthorized, "the revoked token");

        using (var ungranted = await firstAdmin.PutAsync(
            $"{ContentApiClient.Root}/users/dev/", new StringContent("""{"delta": {"grants": []}}""", System.Text.Encoding.UTF8, "application/json")))
        {
            Assert.That(ungranted.IsSuccessStatusCode, Is.True, await ungranted.Content.ReadAsStringAsync());
        }

        await AssertWithinASecondAsync(passwordOnSecond, "/repositories/app/", HttpStatusCode.NotFound, "the removed grant");

        using (var deleted = await firstAdmin.DeleteAsync($"{ContentApiClient.Root}/repositories/app/"))
        {
            Assert.That(deleted.IsSuccessStatusCode, Is.True);
        }

        await AssertWithinASecondAsync(adminOnSecond, "/repositories/app/", HttpStatusCode.NotFound, "the deleted repository");
    }

    [Test]
    public async Task WhenTheConnectionThatHearsOfChangesIsCut_ARevokedTokenStillHolds()
    {
        using var firstAdmin = _first.CreateClient();
        var first = new ContentApiClient(firstAdmin);
        await first.CreateDockerRepositoryAsync("app");
        var token = await MintTokenAsync(firstAdmin, "admin");
        using var tokenOnSecond = _second.CreateAnonymousClient().SignIn("admin", token);
        Assert.That(await StatusAsync(tokenOnSecond, "/repositories/app/"), Is.EqualTo(HttpStatusCode.OK));

        // Both servers' listening connections go, as in a database restart or a network cut.
        await using (var connection = new NpgsqlConnection(_metadata.ConnectionString))
        {
            await connection.OpenAsync();
            await using var cut = new NpgsqlCommand(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'berth change feed' AND datname = current_database()", connection);
            Assert.That(await cut.ExecuteScalarAsync(), Is.EqualTo(2L), "one listening connection per server");
        }

        var tokenId = (await first.GetJsonAsync("/users/admin/tokens/")).AsArray().Single()!["id"]!.GetValue<string>();
        using (var revoked = await firstAdmin.DeleteAsync($"{ContentApiClient.Root}/users/admin/tokens/{tokenId}/"))
        {
            Assert.That(revoked.IsSuccessStatusCode, Is.True);
        }

        await AssertWithinASecondAsync(tokenOnSecond, "/repositories/app/", HttpStatusCode.Unauthorized, "the token revoked while nobody listened");
    }

    private static async Task CreateUserAsync(ContentApiClient api, string login, JsonObject grant)
    {
        using var created = await api.PostJsonAsync("/users/", new JsonObject { ["login"] = login, ["password"] = $"{login}-password-1", ["grants"] = new JsonArray(grant) });
        await ContentApiClient.ReadAsync(created, HttpStatusCode.Created);
    }

    private static async Task<string> MintTokenAsync(HttpClient client, string login)
    {
        using var minted = await new ContentApiClient(client).PostJsonAsync($"/users/{login}/tokens/", new JsonObject { ["name"] = "ci" });
        return (await ContentApiClient.ReadAsync(minted, HttpStatusCode.Created))["token"]!.GetValue<string>();
    }

    private static async Task<HttpStatusCode> StatusAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(ContentApiClient.Root + path);
        return response.StatusCode;
    }

    private static async Task AssertWithinASecondAsync(HttpClient client, string path, HttpStatusCode expected, string what)
    {
        var last = HttpStatusCode.OK;
        var held = await Eventually.WaitAsync(
            async () =>
            {
                last = await StatusAsync(client, path);
                return last == expected;
            },
            WithinASecond);
        Assert.That(held, Is.True, $"{what} did not hold on the other server within a second (last answer {last})");
    }
}
