using System.Text.Json;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.EndToEnd;

/// <summary>Debian's skopeo pushing to and pulling from the real server process, or two of them behind a load balancer.</summary>
[NonParallelizable]
[TestFixture(StorageBackend.Default, ServerKind.Process)]
[TestFixture(StorageBackend.PostgreSql, ServerKind.Process)]
[TestFixture(StorageBackend.PostgreSqlS3, ServerKind.Process)]
[TestFixture(StorageBackend.PostgreSqlS3, ServerKind.Replicas)]
public sealed class SkopeoTests(StorageBackend backend, ServerKind kind)
{
    private TestStorage? _storage;
    private TempFolder _folder = null!;
    private BerthHost _server = null!;
    private string _host = null!;

    [OneTimeSetUp]
    public async Task StartServer()
    {
        Skopeo.Require();
        _folder = new TempFolder();
        _storage = await TestStorage.CreateAsync(TestStorage.Resolve(backend));
        _server = await BerthHost.StartAsync(kind, _folder, null, _storage.Settings);
        using var client = _server.CreateAnonymousClient();
        _host = client.BaseAddress!.Authority;
    }

    [OneTimeTearDown]
    public async Task StopServer()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _folder?.Dispose();
        if (_storage is not null)
        {
            await _storage.DisposeAsync();
        }
    }

    private string Docker(string reference) => $"docker://{_host}/{reference}";

    private static string Admin(string option) => $"{option}={TestCredentials.AdminLogin}:{TestCredentials.AdminPassword}";

    private static void AssertSameFiles(string expected, string actual)
    {
        var names = Directory.EnumerateFiles(expected).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.That(Directory.EnumerateFiles(actual).Select(Path.GetFileName).Order(StringComparer.Ordinal), Is.EqualTo(names));
        foreach (var name in names)
        {
            Assert.That(File.ReadAllBytes(Path.Combine(actual, name!)), Is.EqualTo(File.ReadAllBytes(Path.Combine(expected, name!))), name);
        }
    }

    [Test]
    public async Task DirImage_PushedAndPulledBack_IsByteIdentical()
    {
        var image = ImageGenerator.Build(layers: 3, fileSize: 300_000);
        var source = _folder.Combine("dir-source");
        var pulled = _folder.Combine("dir-pulled");
        ImageGenerator.WriteDirectory(image, source);

        await Skopeo.RunAsync("copy", "--dest-tls-verify=false", Admin("--dest-creds"), $"dir:{source}", Docker("skopeo/dir:1.0"));
        await Skopeo.RunAsync("copy", "--src-tls-verify=false", Admin("--src-creds"), Docker("skopeo/dir:1.0"), $"dir:{pulled}");

        AssertSameFiles(source, pulled);
    }

    [Test]
    public async Task OciLayout_PushedAndPulledBack_IsByteIdentical()
    {
        var image = ImageGenerator.Build(layers: 2, oci: true);
        var source = _folder.Combine("oci-source");
        var pulled = _folder.Combine("oci-pulled");
        ImageGenerator.WriteOciLayout(image, source, "2.0");

        await Skopeo.RunAsync("copy", "--dest-tls-verify=false", Admin("--dest-creds"), $"oci:{source}:2.0", Docker("skopeo/oci:2.0"));
        await Skopeo.RunAsync("copy", "--src-tls-verify=false", Admin("--src-creds"), Docker("skopeo/oci:2.0"), $"oci:{pulled}:2.0");

        AssertSameFiles(Path.Combine(source, "blobs", "sha256"), Path.Combine(pulled, "blobs", "sha256"));
        var index = JsonDocument.Parse(File.ReadAllText(Path.Combine(pulled, "index.json"))).RootElement.GetProperty("manifests")[0];
        Assert.That(index.GetProperty("digest").GetString(), Is.EqualTo(image.Digest.ToString()));
    }

    [Test]
    public async Task MultiPlatformIndex_PushedAndPulledBackWithAll_IsByteIdentical()
    {
        var (amd64, arm64) = (ImageGenerator.Build(layers: 1, oci: true), ImageGenerator.Build(layers: 2, oci: true));
        var index = TestManifest.OciIndex(amd64, arm64);
        var source = _folder.Combine("index-source");
        var pulled = _folder.Combine("index-pulled");
        ImageGenerator.WriteOciLayout(index, source, "multi", amd64, arm64);

        await Skopeo.RunAsync("copy", "--all", "--dest-tls-verify=false", Admin("--dest-creds"), $"oci:{source}:multi", Docker("skopeo/multi:1"));
        await Skopeo.RunAsync("copy", "--all", "--src-tls-verify=false", Admin("--src-creds"), Docker("skopeo/multi:1"), $"oci:{pulled}:multi");

        AssertSameFiles(Path.Combine(source, "blobs", "sha256"), Path.Combine(pulled, "blobs", "sha256"));
    }

    [Test]
    public async Task ImageImportedThroughTheContentApi_IsPulledBySkopeo()
    {
        using var http = _server.CreateClient();
        var api = new ContentApiClient(http);
        await api.CreateDockerRepositoryAsync("from-content-api");
        var image = ImageGenerator.Build(layers: 2);
        await api.ImportImageAsync("from-content-api", image, tag: "stable");
        var expected = _folder.Combine("content-api-expected");
        var pulled = _folder.Combine("content-api-pulled");
        ImageGenerator.WriteDirectory(image, expected);

        await Skopeo.RunAsync("copy", "--src-tls-verify=false", Admin("--src-creds"), Docker("from-content-api:stable"), $"dir:{pulled}");

        AssertSameFiles(expected, pulled);
    }

    private async Task<string> CreateUserAsync(string login, string grantedActions)
    {
        using var http = _server.CreateClient();
        using var response = await new ContentApiClient(http).PostJsonAsync(
            "/users/", $$"""{"login": "{{login}}", "password": "{{login}}-password", "grants": [{"pattern": "team/*", "actions": [{{grantedActions}}]}]}""");
        await ContentApiClient.ReadAsync(response, System.Net.HttpStatusCode.Created);
        return $"{login}-password";
    }

    [Test]
    public async Task ARobotSignsInWithItsToken_ThenPushesAndPulls()
    {
        var password = await CreateUserAsync("robot", "\"pull\", \"push\"");
        using var http = _server.CreateAnonymousClient().SignIn("robot", password);
        using var created = await new ContentApiClient(http).PostJsonAsync("/users/robot/tokens/", """{"name": "ci", "expires_in_days": 1}""");
        var token = (await ContentApiClient.ReadAsync(created, System.Net.HttpStatusCode.Created))["token"]!.GetValue<string>();
        var authFile = _folder.Combine("robot-auth.json");
        await Skopeo.RunAsync("login", "--tls-verify=false", "--authfile", authFile, "-u", "robot", "-p", token, _host);

        var image = ImageGenerator.Build(layers: 2);
        var source = _folder.Combine("robot-source");
        var pulled = _folder.Combine("robot-pulled");
        ImageGenerator.WriteDirectory(image, source);
        await Skopeo.RunAsync("copy", "--dest-tls-verify=false", "--authfile", authFile, $"dir:{source}", Docker("team/robot-app:1"));
        await Skopeo.RunAsync("copy", "--src-tls-verify=false", "--authfile", authFile, Docker("team/robot-app:1"), $"dir:{pulled}");
        AssertSameFiles(source, pulled);
    }

    [Test]
    public async Task APullOnlyUserSignsIn_Pulls_AndIsDeniedPushing()
    {
        var image = ImageGenerator.Build(layers: 1);
        var source = _folder.Combine("reader-source");
        ImageGenerator.WriteDirectory(image, source);
        await Skopeo.RunAsync("copy", "--dest-tls-verify=false", Admin("--dest-creds"), $"dir:{source}", Docker("team/readable:1"));

        var password = await CreateUserAsync("reader", "\"pull\"");
        var authFile = _folder.Combine("reader-auth.json");
        await Skopeo.RunAsync("login", "--tls-verify=false", "--authfile", authFile, "-u", "reader", "-p", password, _host);
        await Skopeo.RunAsync("copy", "--src-tls-verify=false", "--authfile", authFile, Docker("team/readable:1"), $"dir:{_folder.Combine("reader-pulled")}");

        var other = ImageGenerator.Build(layers: 1);
        var otherSource = _folder.Combine("reader-push");
        ImageGenerator.WriteDirectory(other, otherSource);
        var (exitCode, output) = await Skopeo.TryRunAsync("copy", "--dest-tls-verify=false", "--authfile", authFile, $"dir:{otherSource}", Docker("team/readable:2"));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exitCode, Is.Not.Zero);
            Assert.That(output, Does.Contain("denied").IgnoreCase);
        }
    }

    [Test]
    public async Task WithoutCredentials_SkopeoIsRefused()
    {
        var (exitCode, output) = await Skopeo.TryRunAsync("inspect", "--tls-verify=false", "--no-creds", Docker("team/readable:1"));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exitCode, Is.Not.Zero);
            Assert.That(output, Does.Contain("unauthorized").IgnoreCase.Or.Contain("authentication required").IgnoreCase);
        }
    }

    [Test]
    public async Task InspectListTagsAndDelete_WorkAsOnAnyRegistry()
    {
        var image = ImageGenerator.Build(layers: 1);
        var source = _folder.Combine("inspect-source");
        ImageGenerator.WriteDirectory(image, source);
        await Skopeo.RunAsync("copy", "--dest-tls-verify=false", Admin("--dest-creds"), $"dir:{source}", Docker("skopeo/inspect:a"));
        await Skopeo.RunAsync("copy", "--tls-verify=false", Admin("--src-creds"), Admin("--dest-creds"), Docker("skopeo/inspect:a"), Docker("skopeo/inspect:b"));

        var inspect = JsonDocument.Parse(await Skopeo.RunAsync("inspect", "--tls-verify=false", Admin("--creds"), Docker("skopeo/inspect:a"))).RootElement;
        var tags = JsonDocument.Parse(await Skopeo.RunAsync("list-tags", "--tls-verify=false", Admin("--creds"), Docker("skopeo/inspect"))).RootElement;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(inspect.GetProperty("Digest").GetString(), Is.EqualTo(image.Digest.ToString()));
            Assert.That(tags.GetProperty("Tags").EnumerateArray().Select(t => t.GetString()), Is.EqualTo(new[] { "a", "b" }));
        }

        // skopeo deletes the manifest a tag points at: every tag of it goes.
        await Skopeo.RunAsync("delete", "--tls-verify=false", Admin("--creds"), Docker("skopeo/inspect:a"));
        var (exitCode, output) = await Skopeo.TryRunAsync("inspect", "--tls-verify=false", Admin("--creds"), Docker("skopeo/inspect:b"));
        Assert.That(exitCode, Is.Not.Zero, output);
    }
}
