using System.Net;
using System.Text.Json.Nodes;
using Berth.Tests.Support;
using Docker.Common;
using NUnit.Framework;

namespace Berth.Tests.Ui;

/// <summary>
/// The web UI in Chromium against the real server process: signing in and out, repositories, tags, platforms, images,
/// referrers, and what a reader may not see.
/// </summary>
[NonParallelizable]
public sealed class UiBrowsingTests : UiFixture
{
    private static string Admin(string option) => $"{option}={TestCredentials.AdminLogin}:{TestCredentials.AdminPassword}";

    [Test]
    public async Task SignIn_RefusesAWrongPassword_ThenSignsInAndOut()
    {
        Browser.SignIn(TestCredentials.AdminLogin, "not-the-password");
        Assert.That(Browser.Find("#sign-in-refusal").Text, Does.Contain("Wrong user name or password"));
        Assert.That(Browser.CookieNamed("berth_session"), Is.Null);

        SignInAsAdmin();
        Assert.That(Browser.Find("#signed-in-as").Text, Is.EqualTo(TestCredentials.AdminLogin));
        var session = Browser.CookieNamed("berth_session");
        Assert.That(session, Is.Not.Null);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(session!.IsHttpOnly, Is.True, "scripts cannot read the session");
            Assert.That(session.SameSite, Is.EqualTo("Strict"), "no other site's request carries it");
            Assert.That(session.Path, Is.EqualTo("/ui"), "the APIs never receive it");
        }

        using (var copy = BrowserClient())
        using (var before = await copy.GetAsync("/ui/"))
        {
            Assert.That(await before.Content.ReadAsStringAsync(), Does.Contain("id=\"signed-in-as\""), "a copy of the cookie works while the session lasts");
        }

        Browser.ClickAndWait("#sign-out");
        Assert.That(Browser.Location, Does.StartWith("/ui/sign-in"));
        Assert.That(Browser.CookieNamed("berth_session"), Is.Null);
        Browser.Open("/ui/");
        Assert.That(Browser.Has("#signed-in-as"), Is.False);
        Assert.That(Browser.Has("#sign-in-link"), Is.True);

        // Signing out ends the session on the server: a copy of the cookie taken before is refused too.
        var cookies = new System.Net.CookieContainer();
        cookies.Add(new Uri(Browser.BaseAddress), new System.Net.Cookie(session.Name, session.Value, session.Path));
        using var copied = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = new Uri(Browser.BaseAddress) };
        using var after = await copied.GetAsync("/ui/");
        Assert.That(await after.Content.ReadAsStringAsync(), Does.Not.Contain("id=\"signed-in-as\""));
    }

    [Test]
    public void SignIn_ReturnsToThePageAsked_AndNeverToAnotherSite()
    {
        var name = "ui-return";
        Registry.PushImageAsync(name, TestManifest.OciImage(), "v1").GetAwaiter().GetResult();

        Browser.Open($"/ui/repositories/{name}");
        Assert.That(Browser.Location, Does.StartWith("/ui/sign-in?return="), "a repository that is not open to anonymous pulls asks for sign-in");
        Browser.Type("#login", TestCredentials.AdminLogin);
        Browser.Type("#password", TestCredentials.AdminPassword);
        Browser.ClickAndWait("#sign-in");
        Assert.That(Browser.Location, Is.EqualTo($"/ui/repositories/{name}"));

        Browser.Forget();
        Browser.Open("/ui/sign-in?return=https%3A%2F%2Fexample.com%2F");
        Browser.Type("#login", TestCredentials.AdminLogin);
        Browser.Type("#password", TestCredentials.AdminPassword);
        Browser.ClickAndWait("#sign-in");
        Assert.That(Browser.Location, Is.EqualTo("/ui/"));
    }

    [Test]
    public async Task RepositoryPushedWithSkopeo_ShowsItsTagsAndPlatforms()
    {
        Skopeo.Require();
        var (amd64, arm64) = (ImageGenerator.Build(layers: 1, oci: true), ImageGenerator.Build(layers: 2, oci: true));
        var index = TestManifest.OciIndex(amd64, arm64);
        var source = Folder.Combine("ui-index-source");
        ImageGenerator.WriteOciLayout(index, source, "multi", amd64, arm64);
        await Skopeo.RunAsync("copy", "--all", "--dest-tls-verify=false", Admin("--dest-creds"), $"oci:{source}:multi", $"docker://{RegistryHost}/ui-skopeo:2.0");
        var single = Folder.Combine("ui-single-source");
        var image = ImageGenerator.Build(layers: 2);
        ImageGenerator.WriteDirectory(image, single);
        await Skopeo.RunAsync("copy", "--dest-tls-verify=false", Admin("--dest-creds"), $"dir:{single}", $"docker://{RegistryHost}/ui-skopeo:1.0");

        SignInAsAdmin();
        Browser.Open("/ui/?q=ui-skopeo");
        Assert.That(Texts("#repositories tbody tr td:first-child a"), Is.EqualTo(new[] { "ui-skopeo" }));
        Browser.ClickAndWait("#repositories tbody tr td:first-child a");

        Assert.That(Texts("#tags .tag-name"), Is.EqualTo(new[] { "1.0", "2.0" }));
        var rows = Browser.FindAll("#tags tbody tr");
        Assert.That(rows[1].FindElement(OpenQA.Selenium.By.CssSelector(".platforms")).Text, Does.Contain("linux/amd64").And.Contain("linux/arm64"));
        Assert.That(rows[1].FindElement(OpenQA.Selenium.By.CssSelector(".digest a")).GetAttribute("title"), Is.EqualTo(index.Digest.ToString()));
        Assert.That(rows[0].FindElement(OpenQA.Selenium.By.CssSelector(".digest a")).GetAttribute("title"), Is.EqualTo(image.Digest.ToString()));
        Assert.That(Browser.Find("#pull-skopeo").Text, Is.EqualTo($"skopeo copy docker://{RegistryHost}/ui-skopeo:1.0 dir:./ui-skopeo"));
        Assert.That(Browser.Find("#importers").Text, Does.Contain("docker_manifest_importer"));

        Browser.Type("#tag-filter", "2.");
        Browser.ClickAndWait("form[role=search] button");
        Assert.That(Texts("#tags .tag-name"), Is.EqualTo(new[] { "2.0" }));

        // The index's page lists its platforms, each linked to its image.
        Browser.Open($"/ui/repositories/ui-skopeo/manifests/{Uri.EscapeDataString(index.Digest.ToString())}");
        Assert.That(Texts("#children tbody tr td:first-child"), Is.EqualTo(new[] { "linux/amd64", "linux/arm64" }));
        Assert.That(Browser.FindAll("#children a").Count, Is.EqualTo(2));
    }

    [Test]
    public async Task ImagePage_ShowsLayersConfigAndASignatureReferrer()
    {
        var name = "ui-image";
        var image = TestManifest.OciImage(layers: 3);
        await Registry.PushImageAsync(name, image, "v1");
        var signature = TestManifest.OciArtifact(image, "application/vnd.dev.cosign.artifact.sig.v1+json");
        var sbom = TestManifest.OciArtifact(image, "application/spdx+json");
        await Registry.PushImageAsync(name, signature);
        await Registry.PushImageAsync(name, sbom);

        SignInAsAdmin();
        Browser.Open($"/ui/repositories/{name}/manifests/{Uri.EscapeDataString(image.Digest.ToString())}");
        Assert.That(
            Texts("#layers tbody tr td.digest"),
            Is.EqualTo(image.Blobs.Skip(1).Select(b => b.Digest.ToString())),
            "every layer, in order");
        Assert.That(Browser.Find("#config-platform").Text, Is.EqualTo("linux/amd64"));
        Assert.That(Browser.Find("#image-tags").Text, Is.EqualTo("v1"));
        Assert.That(Texts("#referrers h3"), Is.EqualTo(new[] { "Signatures", "SBOMs" }));
        Assert.That(Texts("ul[data-kind=Signatures] a"), Is.EqualTo(new[] { signature.Digest.ToString() }));
        Assert.That(Texts("ul[data-kind=SBOMs] a"), Is.EqualTo(new[] { sbom.Digest.ToString() }));

        // The signature's own page says what it refers to.
        Browser.ClickAndWait("ul[data-kind=Signatures] a");
        Assert.That(Browser.Find("#image-facts").Text, Does.Contain(image.Digest.ToString()));

        // The exact bytes are downloadable, and the digest is of them.
        using var client = BrowserClient();
        using var raw = await client.GetAsync($"/ui/repositories/{name}/manifests/{Uri.EscapeDataString(image.Digest.ToString())}?handler=raw");
        Assert.That(raw.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await raw.Content.ReadAsByteArrayAsync(), Is.EqualTo(image.Bytes));
    }

    [Test]
    public async Task ImagePage_LooksUpItsConfigAndLayersTogether_HoweverManyLayersItHas()
    {
        // Two images new to the page, in repositories of their own: nothing either page looks up about them is remembered
        // yet. A repository made after the pushes forgets the repositories remembered so far, alike for the three, and a
        // third image's page is seen first, so that what any page looks up (and then remembers) is looked up before both.
        var (first, one, twelve) = (TestManifest.OciImage(layers: 2), TestManifest.OciImage(layers: 1), TestManifest.OciImage(layers: 12));
        await Registry.PushImageAsync("ui-reads-first", first, "v1");
        await Registry.PushImageAsync("ui-reads-one", one, "v1");
        await Registry.PushImageAsync("ui-reads-twelve", twelve, "v1");
        using (var created = await Api.PostJsonAsync("/repositories/", new JsonObject { ["id"] = "ui-reads-after" }))
        {
            Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        }

        SignInAsAdmin();

        async Task<long> StoreReadsAsync(string name, TestManifest image)
        {
            var before = (await MetadataFlushes.FiguresAsync(Api.Http)).Reads;
            Browser.Open($"/ui/repositories/{name}/manifests/{Uri.EscapeDataString(image.Digest.ToString())}");
            Assert.That(Texts("#layers tbody tr td.digest"), Has.Count.EqualTo(image.Blobs.Count - 1), name);
            return (await MetadataFlushes.FiguresAsync(Api.Http)).Reads - before;
        }

        await StoreReadsAsync("ui-reads-first", first);
        var control = (await MetadataFlushes.FiguresAsync(Api.Http)).Reads;
        Assert.That((await MetadataFlushes.FiguresAsync(Api.Http)).Reads, Is.EqualTo(control), "reading the figures reads the store: the counts below would be wrong");
        var readsOfOne = await StoreReadsAsync("ui-reads-one", one);
        var readsOfTwelve = await StoreReadsAsync("ui-reads-twelve", twelve);
        Assert.That(readsOfTwelve, Is.EqualTo(readsOfOne), "store reads of an image page with twelve layers, against one with a single layer");
    }

    [Test]
    public async Task WhatAClientPushed_IsShownAsText_NeverRunAsScript()
    {
        var name = "ui-hostile";
        var hostile = "<script>document.title='owned'</script><img src=x onerror=\"document.title='owned'\">";
        var image = TestManifest.OciImage();
        var manifest = JsonNode.Parse(image.Bytes)!.AsObject();
        manifest["annotations"] = new JsonObject { ["org.example.note"] = hostile };
        var bytes = System.Text.Encoding.UTF8.GetBytes(manifest.ToJsonString());
        foreach (var blob in image.Blobs)
        {
            await Registry.PushBlobAsync(name, blob);
        }

        using (var put = await Registry.PutManifestAsync(name, "v1", bytes, MediaTypes.OciManifest))
        {
            Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        }

        SignInAsAdmin();
        var digest = Docker.Common.Digests.Digest.Compute(bytes);
        Browser.Open($"/ui/repositories/{name}/manifests/{Uri.EscapeDataString(digest.ToString())}");
        Assert.That(Browser.Find("#annotations .annotation-value").Text, Is.EqualTo(hostile));
        Assert.That(Browser.Find("#manifest-json").Text, Does.Contain("<script>document.title="));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Browser.Driver.Title, Does.Not.Contain("owned"));
            Assert.That(Browser.FindAll("img").Count, Is.Zero, "no element was made of the annotation");
            Assert.That(Browser.FindAll("script").Select(s => s.GetAttribute("src")), Is.EqualTo(new[] { $"{Browser.BaseAddress}/ui/assets/berth.js" }));
        }

        using var client = BrowserClient();
        using var page = await client.GetAsync($"/ui/repositories/{name}/manifests/{Uri.EscapeDataString(digest.ToString())}");
        Assert.That(page.Headers.GetValues("Content-Security-Policy").Single(), Does.Contain("script-src 'self'").And.Not.Contain("unsafe-inline"));
    }

    [Test]
    public async Task AReader_SeesOnlyWhatTheyMayPull()
    {
        await Registry.PushImageAsync("ui-team-a", TestManifest.OciImage(), "v1");
        var secret = TestManifest.OciImage();
        await Registry.PushImageAsync("ui-secret", secret, "v1");
        var login = await CreateUserAsync(("ui-team-*", "pull"));

        Browser.SignIn(login, UserPassword);
        Browser.Open("/ui/?q=ui-");
        Assert.That(Texts("#repositories tbody tr td:first-child a"), Does.Contain("ui-team-a").And.Not.Contain("ui-secret"));
        Browser.Open("/ui/?q=ui-team");
        Assert.That(Texts("#repositories tbody tr td:first-child a"), Is.EqualTo(new[] { "ui-team-a" }));
        Assert.That(Browser.Find("#repository-count").Text, Does.StartWith("1 repository"));
        Browser.Open("/ui/?q=secret");
        Assert.That(Browser.Has("#repositories"), Is.False);

        // Asked for by its address, it does not exist for this reader: the same 404 as a repository that is not there.
        Browser.Open("/ui/repositories/ui-secret");
        var refusal = Browser.Find("#problem").Text;
        Browser.Open("/ui/repositories/ui-nothing-here");
        Assert.That(Browser.Find("#problem").Text.Replace("ui-nothing-here", "ui-secret", StringComparison.Ordinal), Is.EqualTo(refusal));
        Browser.Open($"/ui/repositories/ui-secret/manifests/{Uri.EscapeDataString(secret.Digest.ToString())}");
        Assert.That(Browser.Find("#problem").Text, Is.EqualTo(refusal));
        Assert.That(Browser.Has("#layers"), Is.False, "nothing of the image is shown");
    }

    [Test]
    public async Task AnonymousReaders_SeeRepositoriesOpenToAnonymousPulls_AndChangeNothing()
    {
        await Registry.PushImageAsync("ui-public", TestManifest.OciImage(), "v1");
        await Registry.PushImageAsync("ui-private", TestManifest.OciImage(), "v1");
        var delta = new JsonObject { ["delta"] = new JsonObject { ["anonymous_pull"] = true } };
        using (var open = await Api.Http.PutAsync(
            $"{ContentApiClient.Root}/repositories/ui-public/", new StringContent(delta.ToJsonString(), System.Text.Encoding.UTF8, "application/json")))
        {
            await ContentApiClient.ReadAsync(open, HttpStatusCode.OK);
        }

        Browser.Open("/ui/?q=ui-p");
        Assert.That(Texts("#repositories tbody tr td:first-child a"), Is.EqualTo(new[] { "ui-public" }));
        Browser.Open("/ui/repositories/ui-public");
        Assert.That(Texts("#tags .tag-name"), Is.EqualTo(new[] { "v1" }));

        // A form posted without a session changes nothing and asks for sign-in.
        using var anonymous = Host.CreateAnonymousClient();
        using var post = await anonymous.PostAsync("/ui/sign-out", new FormUrlEncodedContent([]));
        Assert.That(post.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
        Assert.That(post.Headers.Location!.ToString(), Does.StartWith("/ui/sign-in"));
    }

    [Test]
    public async Task AFormPostedWithoutThePagesToken_IsRefused()
    {
        SignInAsAdmin();
        using var client = BrowserClient();

        // Another site could make the browser post, session cookie and all (were it not SameSite), but not the token.
        using (var forged = await client.PostAsync("/ui/sign-out", new FormUrlEncodedContent([])))
        {
            Assert.That(forged.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(await forged.Content.ReadAsStringAsync(), Does.Contain("Nothing was changed"));
        }

        using (var wrong = await client.PostAsync("/ui/sign-out", new FormUrlEncodedContent([new("__form", "AAAA")])))
        {
            Assert.That(wrong.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        }

        Browser.Open("/ui/");
        Assert.That(Browser.Find("#signed-in-as").Text, Is.EqualTo(TestCredentials.AdminLogin), "the session holds: nothing was done");
    }

    [Test]
    public async Task OnANarrowScreen_PagesFitItsWidth()
    {
        var name = "ui-narrow";
        var image = TestManifest.OciImage(layers: 2);
        await Registry.PushImageAsync(name, image, "a-rather-long-tag-name-for-a-phone-screen");
        SignInAsAdmin();
        var driver = Browser.Driver;
        driver.Manage().Window.Size = new System.Drawing.Size(380, 800);
        try
        {
            foreach (var path in new[] { "/ui/", $"/ui/repositories/{name}", $"/ui/repositories/{name}/manifests/{Uri.EscapeDataString(image.Digest.ToString())}" })
            {
                Browser.Open(path);
                _ = Browser.Find("main h1");

                // Wide tables scroll inside their own box; the page itself never scrolls sideways.
                var (page, viewport) = ((long)((OpenQA.Selenium.IJavaScriptExecutor)driver).ExecuteScript("return document.documentElement.scrollWidth;")!,
                    (long)((OpenQA.Selenium.IJavaScriptExecutor)driver).ExecuteScript("return document.documentElement.clientWidth;")!);
                Assert.That(viewport, Is.LessThan(400), "the window is a phone's width");
                Assert.That(page, Is.LessThanOrEqualTo(viewport), $"{path} is wider than the screen");
            }
        }
        finally
        {
            driver.Manage().Window.Size = new System.Drawing.Size(1280, 900);
        }
    }
}
