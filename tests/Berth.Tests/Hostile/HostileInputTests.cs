using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Berth.Tests.Api;
using Berth.Tests.Support;
using Docker.Common.Digests;
using NUnit.Framework;

namespace Berth.Tests.Hostile;

/// <summary>
/// The hostile-input table (<see cref="HostileCases"/>) against the real server process, over raw sockets: each
/// case must get its 4xx in its API's error shape, the server must log no error, and nothing the fixture can see
/// may change (<see cref="DataSnapshot"/>).
/// </summary>
[TestFixture]
[Category("Hostile")]
public sealed class HostileInputTests() : ApiFixture(ServerKind.Process)
{
    protected override string? OneServerOnly =>
        "its snapshot of what the server holds reads one data folder, where replicas keep copies of shared uploads that come and go " +
        "(and a balancer in front answers broken framing itself, or holds a request whose body never comes, before any server sees it)";

    public const int MaxUploadBytes = 64 * 1024;
    private const string Repository = "hostile";
    private const string RegistryName = "hostile/fixture";
    private const string User = "victim";
    private static readonly byte[] UploadBytes = "0123456789"u8.ToArray();

    private readonly Dictionary<string, string> _placeholders = new(StringComparer.Ordinal);
    private Uri _server = null!;

    protected override IReadOnlyDictionary<string, string>? Settings => new Dictionary<string, string>(HostileCases.ConnectionSettings)
    {
        ["Berth:MaxUploadBytes"] = MaxUploadBytes.ToString(CultureInfo.InvariantCulture),
        ["Berth:CreateRepositoriesOnPush"] = "false",
        ["Berth:Clients:DataRateGracePeriod"] = "00:00:02",
        ["Berth:Clients:MinRequestBodyBytesPerSecond"] = "1000",
        ["Berth:Clients:RequestHeadersTimeout"] = "00:00:03",

        // The table's registry token must outlive the run of the table.
        ["Berth:Auth:TokenLifetime"] = "02:00:00",
        // Lowered so that cases within the upload limit can pass each ceiling (HostileCases.Memory.cs).
        ["Berth:Imports:MaxDocumentBytes"] = HostileCases.MaxDocumentBytes.ToString(CultureInfo.InvariantCulture),
        ["Berth:Imports:MaxDocumentReferences"] = HostileCases.MaxDocumentReferences.ToString(CultureInfo.InvariantCulture),
        ["Berth:Imports:MaxArchiveEntries"] = HostileCases.MaxArchiveEntries.ToString(CultureInfo.InvariantCulture),
        ["Berth:Imports:MaxArchiveHeaderBytes"] = HostileCases.MaxArchiveHeaderBytes.ToString(CultureInfo.InvariantCulture),
    };

    public static IEnumerable<TestCaseData> Cases() =>
        HostileCases.All().Select(c => new TestCaseData(c).SetName("Hostile: " + Printable(c.Name)));

    [OneTimeSetUp]
    public async Task CreateWhatCasesAimAt()
    {
        _server = Api.Http.BaseAddress!;
        using (var response = await Api.PostJsonAsync("/repositories/", new JsonObject { ["id"] = Repository, ["registry_name"] = RegistryName }))
        {
            await ContentApiClient.ReadAsync(response, HttpStatusCode.Created);
        }

        foreach (var importer in new[] { "docker_blob_importer", "docker_manifest_importer" })
        {
            using var response = await Api.PostJsonAsync($"/repositories/{Repository}/importers/", new JsonObject { ["importer_type_id"] = importer });
            await ContentApiClient.ReadAsync(response, HttpStatusCode.Created);
        }

        // A second repository, so that one's upload session can be aimed at through the other's name.
        using (var response = await Api.PostJsonAsync("/repositories/", new JsonObject { ["id"] = "hostile-other", ["registry_name"] = "hostile/other" }))
        {
            await ContentApiClient.ReadAsync(response, HttpStatusCode.Created);
        }

        var image = TestManifest.OciImage();
        await Api.ImportImageAsync(Repository, image, "v1");
        using (var response = await Api.PostJsonAsync("/users/", new JsonObject { ["login"] = User, ["password"] = "victim-password-long" }))
        {
            await ContentApiClient.ReadAsync(response, HttpStatusCode.Created);
        }

        var registry = new RegistryClient(Api.Http);
        var session = await registry.StartUploadAsync(RegistryName);
        using (var patch = await registry.SendAsync(HttpMethod.Patch, session, new ByteArrayContent(UploadBytes)))
        {
            Assert.That(patch.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await patch.Content.ReadAsStringAsync());
            session = patch.Headers.Location!.ToString();
        }

        _placeholders["{repo}"] = Repository;
        _placeholders["{name}"] = RegistryName;
        _placeholders["{upload}"] = await Api.UploadAsync(UploadBytes);
        _placeholders["{upload_digest}"] = Digest.Compute(UploadBytes).ToString();
        _placeholders["{session}"] = session;
        _placeholders["{session_id}"] = session[(session.LastIndexOf('/') + 1)..];
        _placeholders["{blob}"] = image.Blobs[^1].Digest.ToString();
        _placeholders["{blob_size}"] = image.Blobs[^1].Bytes.Length.ToString(CultureInfo.InvariantCulture);
        _placeholders["{manifest}"] = image.Digest.ToString();
        _placeholders["{user}"] = User;
        await CreateCredentialsCasesUseAsync();
        await HostileCases.PrepareConnectionCasesAsync(Api, Host.CreateAnonymousClient(), _placeholders);
    }

    /// <summary>
    /// Credentials for the access cases, as whole <c>Authorization</c> header lines: the victim's robot token
    /// (scoped to pull the fixture's repository), a user with admin on names of their own only, and a registry
    /// token of the victim's with the catalog scope.
    /// </summary>
    private async Task CreateCredentialsCasesUseAsync()
    {
        using (var token = await Api.PostJsonAsync($"/users/{User}/tokens/", new JsonObject
        {
            ["name"] = "robot",
            ["scope"] = new JsonArray(new JsonObject { ["pattern"] = Repository, ["actions"] = new JsonArray("pull") }),
        }))
        {
            var secret = (await ContentApiClient.ReadAsync(token, HttpStatusCode.Created))["token"]!.GetValue<string>();
            _placeholders["{victim_token_auth}"] = "Authorization: " + TestCredentials.Basic(User, secret);
        }

        using (var squatter = await Api.PostJsonAsync("/users/", new JsonObject
        {
            ["login"] = HostileCases.Squatter,
            ["password"] = HostileCases.SquatterPassword,
            ["grants"] = new JsonArray(
                new JsonObject { ["pattern"] = "squat/*", ["actions"] = new JsonArray("*") },
                new JsonObject { ["pattern"] = "squat-*", ["actions"] = new JsonArray("*") }),
        }))
        {
            await ContentApiClient.ReadAsync(squatter, HttpStatusCode.Created);
        }

        await Api.CreateDockerRepositoryAsync(HostileCases.SquatterRepository);
        _placeholders["{squatter_auth}"] = "Authorization: " + TestCredentials.Basic(HostileCases.Squatter, HostileCases.SquatterPassword);
        using var victim = Host.CreateAnonymousClient().SignIn(User, "victim-password-long");
        var issued = JsonNode.Parse(await victim.GetStringAsync("/token?service=berth&scope=registry:catalog:*"))!;
        _placeholders["{catalog_bearer_auth}"] = "Authorization: Bearer " + issued["token"]!.GetValue<string>();

        // A browser before sign-in (its visitor cookie and its form's token) and one signed in as the administrator.
        using var ui = Host.CreateAnonymousClient();
        using var signInPage = await ui.GetAsync("/ui/sign-in");
        var visitor = UiCookie(signInPage, "berth_visitor");
        _placeholders["{ui_visitor_cookie}"] = "Cookie: berth_visitor=" + visitor;
        _placeholders["{ui_visitor_form}"] = UiFormToken(await signInPage.Content.ReadAsStringAsync());
        using var signIn = new HttpRequestMessage(HttpMethod.Post, "/ui/sign-in")
        {
            Content = new FormUrlEncodedContent(
            [
                new("__form", _placeholders["{ui_visitor_form}"]),
                new("login", TestCredentials.AdminLogin),
                new("password", TestCredentials.AdminPassword),
            ]),
        };
        signIn.Headers.Add("Cookie", "berth_visitor=" + visitor);
        using var signedIn = await ui.SendAsync(signIn);
        var session = UiCookie(signedIn, "berth_session");
        _placeholders["{ui_session_cookie}"] = "Cookie: berth_session=" + session;
        using var home = new HttpRequestMessage(HttpMethod.Get, "/ui/");
        home.Headers.Add("Cookie", "berth_session=" + session);
        using var homePage = await ui.SendAsync(home);
        _placeholders["{ui_session_form}"] = UiFormToken(await homePage.Content.ReadAsStringAsync());
    }

    [TestCaseSource(nameof(Cases))]
    public async Task IsRefusedAndChangesNothing(HostileCase hostile)
    {
        ArgumentNullException.ThrowIfNull(hostile);
        var caseUpload = hostile.Upload is null ? null : await Api.UploadAsync(hostile.Upload);
        _placeholders["{case_upload}"] = caseUpload ?? "no-case-upload";
        var before = await SnapshotAsync();

        var response = await SendAsync(hostile);

        Assert.That(response.Status, Is.EqualTo(hostile.Status), $"{hostile.Method} {hostile.Target}: {response.Text}");
        AssertShape(hostile, response);
        Assert.That(await SnapshotAsync(), Is.EqualTo(before), "the refused request changed what the server holds");
        if (caseUpload is not null)
        {
            using var deleted = await Api.Http.DeleteAsync($"{HostileCases.Api}/content/uploads/{caseUpload}/");
            Assert.That(deleted.StatusCode, Is.EqualTo(HttpStatusCode.OK), await deleted.Content.ReadAsStringAsync());
        }
    }

    [Test]
    public void TableHoldsEveryKind()
    {
        var cases = HostileCases.All().ToList();
        TestContext.Out.WriteLine($"hostile-input cases: {cases.Count}");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(cases.Select(c => c.Name), Is.Unique);
            Assert.That(cases, Has.Count.GreaterThan(200));
            Assert.That(cases.Select(c => c.Shape).Distinct(), Is.EquivalentTo(Enum.GetValues<ErrorShape>()));
        }
    }

    /// <summary>A body trickled below the minimum rate is cut off with 408 once the grace period is over.</summary>
    [Test]
    public async Task SlowBody_IsCutOff()
    {
        var before = await SnapshotAsync();
        var body = new byte[4000];
        var head = Head("PUT", Fill($"{HostileCases.Api}/content/uploads/{{upload}}/10/"), anonymous: false, [$"Content-Length: {body.Length}"]);
        var started = DateTime.UtcNow;

        var response = await RawHttp.SendAsync(_server, head, body, trickle: 10, pause: TimeSpan.FromMilliseconds(100));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.Status, Is.EqualTo(408), response.Text);
            Assert.That(DateTime.UtcNow - started, Is.LessThan(TimeSpan.FromSeconds(30)), "the slow client held the connection too long");
        }

        Assert.That(await SnapshotAsync(), Is.EqualTo(before));
    }

    /// <summary>
    /// A body shorter than its Content-Length, then a half-close: Kestrel takes the closed half as the client gone
    /// and answers nothing; the segment must leave no byte behind and the server must log no error.
    /// </summary>
    [Test]
    public async Task HalfClosedLyingBody_KeepsNothing()
    {
        var before = await SnapshotAsync();
        var head = Head("PUT", Fill($"{HostileCases.Api}/content/uploads/{{upload}}/10/"), anonymous: false, ["Content-Length: 1000"]);

        var response = await RawHttp.SendAsync(_server, head, new byte[500], halfClose: true);

        Assert.That(response.Status, Is.EqualTo(0).Or.EqualTo(400), response.Text);
        Assert.That(await SnapshotAsync(), Is.EqualTo(before));
    }

    /// <summary>
    /// Clients that vanish in the middle of a segment, on kept-alive connections, on both APIs: the server must
    /// keep nothing of the cut segments and log no error (Kestrel logs one when a read is left pending as it
    /// drains the body of a request the application gave up on).
    /// </summary>
    [Test]
    public async Task ResetMidSegment_KeepsNothingAndLogsNothing()
    {
        var before = await SnapshotAsync();
        var registry = new RegistryClient(Api.Http);
        var session = new Uri(_server, await registry.StartUploadAsync(RegistryName)).PathAndQuery;
        var part = new byte[16 * 1024];
        for (var round = 0; round < 40; round++)
        {
            var (method, target) = round % 2 == 0 ? ("PUT", Fill($"{HostileCases.Api}/content/uploads/{{upload}}/10/")) : ("PATCH", session);
            var head = Head(method, target, anonymous: false, ["Content-Length: 1048576", "Content-Type: application/octet-stream"], keepAlive: true);
            await RawHttp.ResetMidBodyAsync(_server, head, part, TimeSpan.FromMilliseconds(round % 5 * 20));
        }

        // The resets reach the server's request handlers a little after the sockets close.
        await Task.Delay(500);
        using (var abandoned = await registry.SendAsync(HttpMethod.Delete, session))
        {
            Assert.That(abandoned.StatusCode, Is.EqualTo(HttpStatusCode.NoContent), await abandoned.Content.ReadAsStringAsync());
        }

        Assert.That(await SnapshotAsync(), Is.EqualTo(before));
    }

    /// <summary>Headers that never end are cut off after the headers timeout.</summary>
    [Test]
    public async Task SlowHeaders_AreCutOff()
    {
        var started = DateTime.UtcNow;
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        await socket.ConnectAsync(_server.Host, _server.Port);
        await socket.SendAsync(Encoding.ASCII.GetBytes("GET /v2/ HTTP/1.1\r\nHost: x\r\n"));
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        int read;
        do
        {
            await Task.Delay(500, timeout.Token);
            // Keep the connection busy with a header line that never ends.
            try
            {
                await socket.SendAsync("X-Slow: a"u8.ToArray());
            }
            catch (System.Net.Sockets.SocketException)
            {
                break;
            }

            read = socket.Available > 0 ? await socket.ReceiveAsync(buffer, timeout.Token) : -1;
        }
        while (read < 0 && !timeout.IsCancellationRequested);

        Assert.That(DateTime.UtcNow - started, Is.LessThan(TimeSpan.FromSeconds(15)), "slow headers were not cut off");
    }

    private async Task<RawResponse> SendAsync(HostileCase hostile)
    {
        var body = hostile.Bytes ?? Encoding.UTF8.GetBytes(Fill(hostile.Body ?? string.Empty));
        var headers = hostile.Headers.Select(Fill).ToList();
        if (hostile.Chunked)
        {
            headers.Add("Transfer-Encoding: chunked");
        }

        if (!hostile.Chunked || hostile.ContentLength is not null)
        {
            headers.Add($"Content-Length: {hostile.ContentLength ?? body.Length.ToString(CultureInfo.InvariantCulture)}");
        }

        if (!headers.Any(h => h.StartsWith("Content-Type:", StringComparison.OrdinalIgnoreCase)) && body.Length > 0)
        {
            headers.Add("Content-Type: application/json");
        }

        return await RawHttp.SendAsync(_server, Head(hostile.Method, Fill(hostile.Target), hostile.Anonymous, headers), body);
    }

    private static string Head(string method, string target, bool anonymous, IEnumerable<string> headers, bool keepAlive = false)
    {
        var head = new StringBuilder($"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1");
        if (!keepAlive)
        {
            head.Append("\r\nConnection: close");
        }

        if (!anonymous)
        {
            head.Append("\r\nAuthorization: ").Append(TestCredentials.Basic(TestCredentials.AdminLogin, TestCredentials.AdminPassword));
        }

        foreach (var header in headers)
        {
            head.Append("\r\n").Append(header);
        }

        return head.ToString();
    }

    private static string UiCookie(HttpResponseMessage response, string name) =>
        response.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]).Single(c => c.StartsWith(name + "=", StringComparison.Ordinal))[(name.Length + 1)..];

    private static string UiFormToken(string page) =>
        System.Text.RegularExpressions.Regex.Match(page, "name=\"__form\" value=\"([^\"]+)\"").Groups[1].Value is { Length: > 0 } token
            ? token
            : throw new AssertionException("the UI page holds no form token");

    private static void AssertShape(HostileCase hostile, RawResponse response)
    {
        switch (hostile.Shape)
        {
            case ErrorShape.Pulp:
                {
                    Assert.That(response.Header("content-type"), Does.StartWith("application/json"), response.Text);
                    var error = JsonNode.Parse(response.Text)!;
                    using (Assert.EnterMultipleScope())
                    {
                        Assert.That(error["http_status"]!.GetValue<int>(), Is.EqualTo(hostile.Status), response.Text);
                        Assert.That(error["error"]!["code"]!.GetValue<string>(), Is.EqualTo(hostile.Code), response.Text);
                        Assert.That(error["error_message"]!.GetValue<string>(), Is.Not.Empty);
                    }

                    break;
                }

            case ErrorShape.Oci:
                {
                    Assert.That(response.Header("content-type"), Does.StartWith("application/json"), response.Text);
                    var error = JsonNode.Parse(response.Text)!["errors"]![0]!;
                    using (Assert.EnterMultipleScope())
                    {
                        Assert.That(error["code"]!.GetValue<string>(), Is.EqualTo(hostile.Code), response.Text);
                        Assert.That(error["message"]!.GetValue<string>(), Is.Not.Empty);
                        Assert.That(response.Header("docker-distribution-api-version"), Is.EqualTo("registry/2.0"));
                    }

                    break;
                }

            case ErrorShape.OciHead:
                using (Assert.EnterMultipleScope())
                {
                    Assert.That(response.Body, Is.Empty);
                    Assert.That(response.Header("docker-distribution-api-version"), Is.EqualTo("registry/2.0"));
                }

                break;

            case ErrorShape.Page:
                using (Assert.EnterMultipleScope())
                {
                    Assert.That(response.Header("content-security-policy"), Does.Contain("script-src 'self'"), response.Text);
                    if (hostile.Status == 302)
                    {
                        Assert.That(response.Header("location"), Does.StartWith("/ui/sign-in"));
                    }
                    else
                    {
                        Assert.That(response.Header("content-type"), Does.StartWith("text/html"), response.Text);
                        Assert.That(response.Text, Does.Contain("class=\"problem\""));
                    }
                }

                break;

            case ErrorShape.Framing:
                // Kestrel's refusal has no body to inspect; the status was checked and the snapshot shows no harm.
                break;

            default:
                throw new ArgumentOutOfRangeException(nameof(hostile), hostile.Shape, "unknown shape");
        }
    }

    private string Fill(string text)
    {
        foreach (var (placeholder, value) in _placeholders)
        {
            text = text.Replace(placeholder, value, StringComparison.Ordinal);
        }

        return text;
    }

    private Task<string> SnapshotAsync() => DataSnapshot.TakeAsync(Host.DataDir, Api.Http, Repository, RegistryName, User);

    private static string Printable(string name) => name.Length > 150 ? name[..150] + "…" : name;
}
