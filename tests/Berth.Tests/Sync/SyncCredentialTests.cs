using System.Text.Json.Nodes;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Sync;

/// <summary>
/// Upstreams that want credentials, as each kind asks for them: the reference registry behind an htpasswd file (a basic
/// challenge) and Berth itself (a bearer challenge, its token service, a pull-only user); and what a sync brought, pulled
/// by skopeo from the real server process, of images skopeo pushed upstream as a build would.
/// </summary>
[NonParallelizable]
public sealed class SyncCredentialTests() : SyncFixture(ServerKind.Process)
{
    [Test]
    public async Task ABasicChallenge_IsAnsweredWithTheConfiguredCredentials()
    {
        using var folder = new TempFolder();
        await using var guarded = await ReferenceRegistry.StartAsync(folder.Path, ("puller", "upstream-password-1"));
        var name = NewUpstreamName();
        var image = TestManifest.DockerImage(layers: 1);
        await guarded.Client.PushImageAsync(name, image, "1.0");

        var anonymous = await SyncedRepositoryAsync(FeedOf(name, guarded.Address));
        var refused = await SyncToEndAsync(anonymous);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(refused["state"]!.GetValue<string>(), Is.EqualTo("error"));
            Assert.That(refused["error"]!["code"]!.GetValue<string>(), Is.EqualTo("BRT0112"));
            Assert.That(refused["error"]!["description"]!.GetValue<string>(), Does.Contain("importer_config.username"));
        }

        var signedIn = await SyncedRepositoryAsync(new JsonObject(FeedOf(name, guarded.Address)) { ["username"] = "puller", ["password"] = "upstream-password-1" });
        Finished(await SyncToEndAsync(signedIn));
        Assert.That(await TagDigestAsync(signedIn, "1.0"), Is.EqualTo(image.Digest.ToString()));
    }

    [Test]
    public async Task ABearerChallenge_GetsATokenFromTheRealm_AndSkopeoPullsWhatWasSynced()
    {
        Skopeo.Require();
        var source = "src/" + NewRepositoryId();
        var image = ImageGenerator.Build(layers: 2, fileSize: 50_000);
        await new RegistryClient(Api.Http).PushImageAsync(source, image, "1.0");
        var puller = await CreateUserAsync((source, "pull"));
        var feed = Host.CreateAnonymousClient().BaseAddress!;

        var wrong = await SyncedRepositoryAsync(new JsonObject(FeedOf(source, feed)) { ["username"] = puller, ["password"] = "not-the-password" });
        var refused = await SyncToEndAsync(wrong);
        Assert.That(refused["state"]!.GetValue<string>(), Is.EqualTo("error"));
        Assert.That(refused["error"]!["description"]!.GetValue<string>(), Does.Contain("token service").And.Contain("check importer_config.username and password"));

        var mirror = await SyncedRepositoryAsync(new JsonObject(FeedOf(source, feed)) { ["username"] = puller, ["password"] = UserPassword });
        var result = Finished(await SyncToEndAsync(mirror));
        Assert.That(result["blobs_present"]!.GetValue<long>(), Is.EqualTo(image.Blobs.Count), "the server holds them already: associated, not fetched");

        using var pulled = new TempFolder();
        await Skopeo.RunAsync(
            "copy", "--src-tls-verify=false", $"--src-creds={Support.TestCredentials.AdminLogin}:{Support.TestCredentials.AdminPassword}",
            $"docker://{feed.Authority}/{mirror}:1.0", $"dir:{pulled.Path}");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await File.ReadAllBytesAsync(Path.Combine(pulled.Path, "manifest.json")), Is.EqualTo(image.Bytes));
            foreach (var blob in image.Blobs)
            {
                Assert.That(await File.ReadAllBytesAsync(Path.Combine(pulled.Path, blob.Digest.Encoded)), Is.EqualTo(blob.Bytes), blob.Digest.ToString());
            }
        }
    }

    [Test]
    public async Task Referrers_ComeThroughTheReferrersApi_AndNewOnesOfAnUnchangedImageToo()
    {
        var source = "src/" + NewRepositoryId();
        var image = TestManifest.DockerImage(layers: 1);
        var sbom = TestManifest.OciArtifact(image);
        var registry = new RegistryClient(Api.Http);
        await registry.PushImageAsync(source, image, "1.0");
        await registry.PushImageAsync(source, sbom);
        var feed = Host.CreateAnonymousClient().BaseAddress!;
        var mirror = await SyncedRepositoryAsync(new JsonObject(FeedOf(source, feed))
        {
            ["username"] = Support.TestCredentials.AdminLogin,
            ["password"] = Support.TestCredentials.AdminPassword,
            ["referrers"] = true,
        });
        Assert.That(Finished(await SyncToEndAsync(mirror))["referrers_added"]!.GetValue<long>(), Is.EqualTo(1));

        // A signature of the SBOM arrives upstream later: the image is unchanged, and its referrers' referrers come anyway.
        var signature = TestManifest.OciArtifact(sbom, "application/vnd.example.signature.v1+json");
        await registry.PushImageAsync(source, signature);
        var again = Finished(await SyncToEndAsync(mirror));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(again["referrers_added"]!.GetValue<long>(), Is.EqualTo(1));
            Assert.That(again["tags_unchanged"]!.GetValue<long>(), Is.EqualTo(1));
            Assert.That(await Api.Http.GetStringAsync($"/v2/{mirror}/referrers/{image.Digest}"), Does.Contain(sbom.Digest.ToString()));
            Assert.That(await Api.Http.GetStringAsync($"/v2/{mirror}/referrers/{sbom.Digest}"), Does.Contain(signature.Digest.ToString()));
        }
    }

    [Test]
    public async Task ATokenInTheConfig_IsSentAsTheBearer()
    {
        var source = "src/" + NewRepositoryId();
        var image = TestManifest.DockerImage(layers: 1);
        await new RegistryClient(Api.Http).PushImageAsync(source, image, "1.0");
        var feed = Host.CreateAnonymousClient().BaseAddress!;
        var puller = await CreateUserAsync((source, "pull"));
        using var tokenClient = ClientAs(puller);
        var token = await TokenAsync(tokenClient, $"repository:{source}:pull");

        var repository = await SyncedRepositoryAsync(new JsonObject(FeedOf(source, feed)) { ["token"] = token });
        Finished(await SyncToEndAsync(repository));
        Assert.That(await TagDigestAsync(repository, "1.0"), Is.EqualTo(image.Digest.ToString()));
        Assert.That((await Api.GetJsonAsync($"/repositories/{repository}/importers/docker_sync_importer/")).ToJsonString(), Does.Not.Contain(token));
    }

    [Test]
    public async Task ImagesPushedUpstreamWithSkopeo_AreSynced_AndPulledBackByteIdentical()
    {
        Skopeo.Require();
        var name = NewUpstreamName();
        var image = ImageGenerator.Build(layers: 2, fileSize: 100_000);
        var (amd64, arm64) = (ImageGenerator.Build(layers: 1, oci: true), ImageGenerator.Build(layers: 2, oci: true));
        var index = TestManifest.OciIndex(amd64, arm64);
        var (dir, layout) = (Folder.Combine("skopeo-sync-dir-" + name[^8..]), Folder.Combine("skopeo-sync-oci-" + name[^8..]));
        ImageGenerator.WriteDirectory(image, dir);
        ImageGenerator.WriteOciLayout(index, layout, "multi", amd64, arm64);
        var upstream = Upstream.Address.Authority;
        await Skopeo.RunAsync("copy", "--dest-tls-verify=false", $"dir:{dir}", $"docker://{upstream}/{name}:1.0");
        await Skopeo.RunAsync("copy", "--all", "--dest-tls-verify=false", $"oci:{layout}:multi", $"docker://{upstream}/{name}:multi");

        var repository = await SyncedRepositoryAsync(FeedOf(name));
        Assert.That(Names(Finished(await SyncToEndAsync(repository))["tags_added"]), Is.EqualTo(new[] { "1.0", "multi" }));

        var berth = Host.CreateAnonymousClient().BaseAddress!.Authority;
        var admin = $"--src-creds={TestCredentials.AdminLogin}:{TestCredentials.AdminPassword}";
        var (pulledDir, pulledLayout) = (Folder.Combine("skopeo-pulled-dir-" + name[^8..]), Folder.Combine("skopeo-pulled-oci-" + name[^8..]));
        await Skopeo.RunAsync("copy", "--src-tls-verify=false", admin, $"docker://{berth}/{repository}:1.0", $"dir:{pulledDir}");
        await Skopeo.RunAsync("copy", "--all", "--src-tls-verify=false", admin, $"docker://{berth}/{repository}:multi", $"oci:{pulledLayout}:multi");

        using (Assert.EnterMultipleScope())
        {
            foreach (var file in Directory.EnumerateFiles(dir).Select(Path.GetFileName))
            {
                Assert.That(File.ReadAllBytes(Path.Combine(pulledDir, file!)), Is.EqualTo(File.ReadAllBytes(Path.Combine(dir, file!))), file);
            }

            var blobs = Path.Combine("blobs", "sha256");
            var expected = Directory.EnumerateFiles(Path.Combine(layout, blobs)).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
            Assert.That(Directory.EnumerateFiles(Path.Combine(pulledLayout, blobs)).Select(Path.GetFileName).Order(StringComparer.Ordinal), Is.EqualTo(expected));
            foreach (var file in expected)
            {
                Assert.That(File.ReadAllBytes(Path.Combine(pulledLayout, blobs, file!)), Is.EqualTo(File.ReadAllBytes(Path.Combine(layout, blobs, file!))), file);
            }
        }
    }
}
