using System.Net;
using System.Text.Json.Nodes;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Sync;

/// <summary>
/// Upstreams proxied by name (<c>Berth:PullThrough</c>): the first pull of <c>hub/NAME</c> makes the repository, a cache
/// of <c>NAME</c> upstream, and skopeo pulls a multi-arch list through it byte for byte; a name upstream lacks makes
/// nothing; pull grants on the prefix decide who may pull (and so make caches); pushes under the prefix are refused.
/// </summary>
public sealed class PullThroughPrefixTests() : SyncFixture(ServerKind.Process)
{
    private const string Prefix = "hub";

    // The server is told the proxy's address before the reference registry behind it starts.
    private readonly UpstreamProxy _hub = new(new Uri("http://127.0.0.1:9/"));

    protected override IReadOnlyDictionary<string, string>? Settings => new Dictionary<string, string>
    {
        [$"Berth:PullThrough:0:Prefix"] = Prefix,
        [$"Berth:PullThrough:0:Feed"] = _hub.Address.AbsoluteUri,
    };

    [OneTimeSetUp]
    public void PointTheProxyAtTheUpstream() => _hub.Target = Upstream.Address;

    [OneTimeTearDown]
    public async Task StopTheProxy() => await _hub.DisposeAsync();

    [Test]
    public async Task SkopeoPullsAListThroughAPrefix_WhichMakesTheCache_AndPullsAgainLocally()
    {
        Skopeo.Require();
        var name = NewUpstreamName();
        var (amd, arm) = (TestManifest.DockerImage(layers: 2), TestManifest.DockerImage(layers: 1, architecture: "arm64"));
        var list = TestManifest.DockerList(amd, arm);
        using (var source = new TempFolder())
        {
            // Pushed upstream by skopeo, as an operator's build would: the list and both its images, digests kept.
            ImageFolders.WriteSkopeoDir(source.Path, list, amd, arm);
            await Skopeo.RunAsync("copy", "--all", "--preserve-digests", "--dest-tls-verify=false", $"dir:{source.Path}", $"docker://{Upstream.Address.Authority}/{name}:multi");
        }

        var feed = Host.CreateAnonymousClient().BaseAddress!;
        var cache = $"{Prefix}/{name}";

        using var pulled = new TempFolder();
        await SkopeoCopyAllAsync($"docker://{feed.Authority}/{cache}:multi", pulled.Path);
        AssertPulled(pulled.Path, list, amd, arm);
        Assert.That(await CatalogAsync(), Does.Contain(cache));
        var stored = await Eventually.WaitAsync(async () => (await CountsAsync(await RepositoryIdOfAsync(cache)))["docker_manifest_list"]?.GetValue<long>() == 1, TaskBound);
        Assert.That(stored, Is.True, "the list was stored behind the pull");

        // Everything is held now; the tag is fresh: skopeo's second pull never reaches upstream.
        Assert.That(await Eventually.WaitAsync(async () => (await CountsAsync(await RepositoryIdOfAsync(cache)))["docker_manifest"]?.GetValue<long>() == 2, TaskBound), Is.True);
        _hub.Forget();
        using var again = new TempFolder();
        await SkopeoCopyAllAsync($"docker://{feed.Authority}/{cache}:multi", again.Path);
        AssertPulled(again.Path, list, amd, arm);
        Assert.That(_hub.Requests, Is.Empty, string.Join('\n', _hub.Requests));
    }

    [Test]
    public async Task APullOfWhatUpstreamLacks_UnderThePrefix_MakesNoRepository()
    {
        var name = NewUpstreamName();
        using (var response = await Api.Http.GetAsync($"/v2/{Prefix}/{name}/manifests/latest"))
        {
            await RegistryClient.ReadErrorAsync(response, HttpStatusCode.NotFound, "MANIFEST_UNKNOWN");
        }

        // A reference that names no manifest is not even asked for upstream: the name stays unknown.
        _hub.Forget();
        using (var response = await Api.Http.GetAsync($"/v2/{Prefix}/{name}/manifests/sha256:nothex"))
        {
            await RegistryClient.ReadErrorAsync(response, HttpStatusCode.NotFound, "NAME_UNKNOWN");
        }

        Assert.That(_hub.Requests, Is.Empty);
        Assert.That(await CatalogAsync(), Does.Not.Contain($"{Prefix}/{name}"));
    }

    [Test]
    public async Task PullGrantsOnThePrefix_DecideWhoMayPull_AndPushesUnderItAreRefused()
    {
        var name = NewUpstreamName();
        var image = TestManifest.DockerImage(layers: 1);
        await Upstream.Client.PushImageAsync(name, image, "1.0");
        var elsewhere = await CreateUserAsync(("team/*", "pull,push"));
        var hubPuller = await CreateUserAsync(($"{Prefix}/*", "pull"));

        using (var refused = await ClientAs(elsewhere).GetAsync($"/v2/{Prefix}/{name}/manifests/1.0"))
        {
            Assert.That(refused.StatusCode, Is.AnyOf(HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden));
        }

        Assert.That(await CatalogAsync(), Does.Not.Contain($"{Prefix}/{name}"), "a refused pull makes no cache");
        using (var pulled = await ClientAs(hubPuller).GetAsync($"/v2/{Prefix}/{name}/manifests/1.0"))
        {
            Assert.That(pulled.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await pulled.Content.ReadAsByteArrayAsync(), Is.EqualTo(image.Bytes));
        }

        foreach (var target in new[] { $"{Prefix}/{name}", $"{Prefix}/{NewUpstreamName()}" })
        {
            using var push = await Api.Http.PostAsync($"/v2/{target}/blobs/uploads/", null);
            var error = await RegistryClient.ReadErrorAsync(push, HttpStatusCode.Forbidden, "DENIED");
            Assert.That(error["message"]!.GetValue<string>(), Does.Contain("pull-through cache"), target);
        }
    }

    private static async Task SkopeoCopyAllAsync(string source, string folder) =>
        await Skopeo.RunAsync(
            "copy", "--all", "--src-tls-verify=false", $"--src-creds={TestCredentials.AdminLogin}:{TestCredentials.AdminPassword}", source, $"dir:{folder}");

    private static void AssertPulled(string folder, TestManifest list, params TestManifest[] images)
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(File.ReadAllBytes(Path.Combine(folder, "manifest.json")), Is.EqualTo(list.Bytes));
            foreach (var image in images)
            {
                Assert.That(File.ReadAllBytes(Path.Combine(folder, $"{image.Digest.Encoded}.manifest.json")), Is.EqualTo(image.Bytes), image.Digest.ToString());
                foreach (var blob in image.Blobs)
                {
                    Assert.That(File.ReadAllBytes(Path.Combine(folder, blob.Digest.Encoded)), Is.EqualTo(blob.Bytes), blob.Digest.ToString());
                }
            }
        }
    }

    private async Task<string[]> CatalogAsync()
    {
        var catalog = JsonNode.Parse(await Api.Http.GetStringAsync("/v2/_catalog?n=1000"))!;
        return Names(catalog["repositories"]);
    }

    private async Task<string> RepositoryIdOfAsync(string registryName)
    {
        var all = (await Api.GetJsonAsync("/repositories/")).AsArray();
        return all.Single(r => r!["registry_name"]?.GetValue<string>() == registryName || r!["id"]!.GetValue<string>() == registryName)!["id"]!.GetValue<string>();
    }
}
