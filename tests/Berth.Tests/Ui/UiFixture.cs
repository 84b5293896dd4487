using System.Net;
using Berth.Tests.Access;
using Berth.Tests.Support;
using Docker.Common;
using NUnit.Framework;

namespace Berth.Tests.Ui;

/// <summary>
/// A real server process and a real browser, one of each for the fixture; each test starts signed out. UI fixtures run
/// one at a time, as every fixture does: run beside each other on two cores they took 89 s against 93 s alone (the
/// browser and the server keep both cores busy), not worth the contention.
/// </summary>
public abstract class UiFixture() : AccessFixture(ServerKind.Process)
{
    protected Browser Browser { get; private set; } = null!;

    protected RegistryClient Registry { get; private set; } = null!;

    protected string RegistryHost { get; private set; } = null!;

    [OneTimeSetUp]
    public void StartBrowser()
    {
        using var client = Host.CreateAnonymousClient();
        RegistryHost = client.BaseAddress!.Authority;
        Browser = Browser.Start(client.BaseAddress.ToString());
        Registry = new RegistryClient(Host.CreateClient());
    }

    [SetUp]
    public void SignedOut() => Browser.Forget();

    [TearDown]
    public void KeepEvidence() => Browser.KeepEvidenceOfFailure();

    [OneTimeTearDown]
    public void StopBrowser()
    {
        Browser?.Dispose();
        Registry?.Http.Dispose();
    }

    protected void SignInAsAdmin() => Browser.SignIn(TestCredentials.AdminLogin, TestCredentials.AdminPassword);

    /// <summary>What the registry API answers for a manifest reference, as a client sees it: the status, and the digest when found.</summary>
    protected async Task<(HttpStatusCode Status, string? Digest)> ManifestAsync(string name, string reference)
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, $"/v2/{name}/manifests/{reference}");
        request.Headers.Accept.ParseAdd(MediaTypes.OciIndex);
        request.Headers.Accept.ParseAdd(MediaTypes.OciManifest);
        using var response = await Registry.Http.SendAsync(request);
        return (response.StatusCode, response.StatusCode == HttpStatusCode.OK ? RegistryClient.Header(response, "Docker-Content-Digest") : null);
    }

    /// <summary>Texts of the elements a selector finds, in page order.</summary>
    protected IReadOnlyList<string> Texts(string css) => [.. Browser.FindAll(css).Select(e => e.Text.Trim())];

    /// <summary>An HTTP client carrying the browser's cookies, for what a browser does not show (headers, raw bytes, forged posts).</summary>
    protected HttpClient BrowserClient()
    {
        var cookies = new CookieContainer();
        var baseAddress = new Uri(Browser.BaseAddress);
        foreach (var cookie in Browser.Driver.Manage().Cookies.AllCookies)
        {
            cookies.Add(baseAddress, new System.Net.Cookie(cookie.Name, cookie.Value, cookie.Path));
        }

        return new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = baseAddress };
    }
}
