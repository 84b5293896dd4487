using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Replicas;

/// <summary>
/// Servers sharing a PostgreSQL database and <c>Berth:Auth:TokenSigningKeyFile</c> accept each other's registry tokens;
/// one with a key of its own does not: the key, not the data folder, is what replicas must share.
/// </summary>
[NonParallelizable]
public sealed class SharedTokenKeyTests : FolderPerTest
{
    [Test]
    public async Task ATokenOneServerIssued_HoldsOnAnotherWithTheSameKey_AndOnlyThere()
    {
        await using var storage = await TestStorage.CreateAsync(StorageBackend.PostgreSql);
        var keyFile = Folder.Combine("token-signing-key.pem");
        using (var key = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            await File.WriteAllTextAsync(keyFile, key.ExportPkcs8PrivateKeyPem());
        }

        string[] Shared(string name) => ["--data-dir", Folder.Combine(name), $"--Berth:Auth:TokenSigningKeyFile={keyFile}", .. storage.Arguments];
        await using var first = await ServerProcess.StartAsync(Folder.Path, Shared("first"));
        await using var second = await ServerProcess.StartAsync(Folder.Path, Shared("second"));
        await using var own = await ServerProcess.StartAsync(Folder.Path, ["--data-dir", Folder.Combine("own"), .. storage.Arguments]);

        using var admin = first.CreateClient();
        await new ContentApiClient(admin).CreateDockerRepositoryAsync("app");
        using var issued = await admin.GetAsync("/token?service=berth&scope=repository:app:pull");
        Assert.That(issued.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var token = JsonNode.Parse(await issued.Content.ReadAsStringAsync())!["token"]!.GetValue<string>();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await TagsStatusAsync(first, token), Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await TagsStatusAsync(second, token), Is.EqualTo(HttpStatusCode.OK), "the same key: the token holds");
            Assert.That(await TagsStatusAsync(own, token), Is.EqualTo(HttpStatusCode.Unauthorized), "a key of its own: the token does not");
        }
    }

    [Test]
    public async Task AKeyFileThatIsMissing_StopsTheServer_SayingHowToMakeOne()
    {
        var exit = await ServerProcess.RunToExitAsync(
            ServerProcess.StartInfo(Folder.Path, "--urls", "http://127.0.0.1:0", "--data-dir", Folder.Combine("data"), $"--Berth:Auth:TokenSigningKeyFile={Folder.Combine("missing.pem")}"),
            TimeSpan.FromSeconds(60));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exit.Code, Is.EqualTo(2), exit.Errors);
            Assert.That(exit.Errors.TrimEnd(), Does.StartWith("berth: cannot start: token signing key: ").And.Contain("missing.pem does not exist").And.Contain("openssl genpkey"));
            Assert.That(File.Exists(Folder.Combine("missing.pem")), Is.False, "a shared key is never made by a server");
        }
    }

    private static async Task<HttpStatusCode> TagsStatusAsync(ServerProcess server, string token)
    {
        using var client = server.CreateAnonymousClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await client.GetAsync("/v2/app/tags/list");
        return response.StatusCode;
    }
}
