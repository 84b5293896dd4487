using System.Net;
using System.Text.Json.Nodes;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Metrics;

/// <summary><c>GET /metrics</c> of the real server process, scraped as Prometheus would and read by a real parser.</summary>
[NonParallelizable]
public sealed class MetricsEndpointTests : FolderPerTest
{
    private const string ManifestRoute = "/v2/{name}/manifests/{reference}";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [SetUp]
    public void RequireParser() => PrometheusExposition.Require();

    [Test]
    public async Task AfterAPushAndAPull_TheScrapeCountsThem_WithNoRepositoryNameInAnyLabel()
    {
        await using var server = await ServerProcess.StartAsync(Folder.Path, "--data-dir", Folder.Combine("data"));
        using var admin = server.CreateClient();
        var registry = new RegistryClient(admin);
        const string repository = "scraped-team/scraped-app";
        var image = TestManifest.DockerImage(layers: 2);
        await registry.PushImageAsync(repository, image, "v1");
        using (var pulled = await admin.GetAsync($"/v2/{repository}/manifests/v1"))
        {
            Assert.That(pulled.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        using (var blob = await admin.GetAsync($"/v2/{repository}/blobs/{image.Blobs[0].Digest}"))
        {
            Assert.That(blob.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        // A retention run and an orphan collection, which remove nothing here but count as runs.
        var api = new ContentApiClient(admin);
        await api.CreateDockerRepositoryAsync("lifecycle");
        using (var policy = await admin.PutAsync(
            $"{ContentApiClient.Root}/repositories/lifecycle/retention/",
            new StringContent("""{"tags":[{"pattern":"*","keep":100}]}""", System.Text.Encoding.UTF8, "application/json")))
        {
            await ContentApiClient.ReadAsync(policy, HttpStatusCode.OK);
        }

        using (var applied = await api.PostJsonAsync("/repositories/lifecycle/actions/apply_retention/", new JsonObject()))
        {
            await ContentApiClient.ReadAsync(applied, HttpStatusCode.OK);
        }

        using (var collected = await admin.DeleteAsync($"{ContentApiClient.Root}/content/orphans/"))
        {
            await ContentApiClient.ReadAsync(collected, HttpStatusCode.Accepted);
        }

        // A request is timed once its response is sent, so the client may see the answer first: wait for the count.
        using var anonymous = server.CreateAnonymousClient();
        IReadOnlyList<MetricSample> samples = [];
        var counted = await Eventually.WaitAsync(
            async () =>
            {
                samples = PrometheusExposition.Parse(await ScrapeAsync(anonymous, "/metrics"));
                return Sum(samples, "berth_http_server_request_duration_milliseconds_count", ("http_route", ManifestRoute), ("http_request_method", "GET")) >= 1;
            },
            Bound);
        Assert.That(counted, Is.True, "the manifest GET was never counted");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Sum(samples, "berth_registry_pushes_total"), Is.GreaterThanOrEqualTo(1));
            Assert.That(Sum(samples, "berth_registry_pulls_total"), Is.GreaterThanOrEqualTo(1));
            Assert.That(
                Sum(samples, "berth_http_server_request_duration_milliseconds_count", ("http_route", ManifestRoute), ("http_request_method", "PUT"), ("http_response_status_code", "201")),
                Is.GreaterThanOrEqualTo(1));
            Assert.That(Sum(samples, "berth_http_server_request_duration_milliseconds_count", ("http_route", "/v2/{name}/blobs/uploads/"), ("api", "registry")), Is.GreaterThanOrEqualTo(2));
            Assert.That(Sum(samples, "berth_imports_total", ("unit_type", "docker_blob"), ("outcome", "imported")), Is.GreaterThanOrEqualTo(2));
            Assert.That(Sum(samples, "berth_imports_total", ("unit_type", "docker_manifest"), ("outcome", "imported")), Is.GreaterThanOrEqualTo(1));
            Assert.That(Sum(samples, "berth_http_received_bytes_total"), Is.GreaterThanOrEqualTo(image.Blobs.Sum(b => b.Bytes.Length) + image.Bytes.Length));
            Assert.That(Sum(samples, "berth_http_sent_bytes_total"), Is.GreaterThanOrEqualTo(image.Bytes.Length + image.Blobs[0].Bytes.Length));
            Assert.That(Sum(samples, "berth_store_transaction_milliseconds_count"), Is.GreaterThanOrEqualTo(1), "store commit latency");
            Assert.That(Sum(samples, "berth_content_operation_milliseconds_count", ("operation", "import")), Is.GreaterThanOrEqualTo(1));
            Assert.That(Names(samples), Does.Contain("berth_uploads_open").And.Contain("berth_store_queue"), "the gauges");
            Assert.That(
                Names(samples),
                Does.Contain("dotnet_process_cpu_time_seconds_total").And.Contain("dotnet_gc_heap_total_allocated_bytes_total").And.Contain("dotnet_process_memory_working_set_bytes"),
                "the runtime's own figures");
            Assert.That(Sum(samples, "berth_uploads_open"), Is.Zero, "every upload session of the push ended");
            Assert.That(Sum(samples, "berth_retention_runs_total"), Is.EqualTo(1));
            Assert.That(Sum(samples, "berth_orphans_collections_total"), Is.EqualTo(1));
            Assert.That(Names(samples), Does.Contain("berth_retention_units_removed_total").And.Contain("berth_orphans_freed_bytes_total"));

            var leaks = samples.SelectMany(s => s.Labels.Values).Where(v => v.Contains("scraped", StringComparison.Ordinal)).Distinct().ToList();
            Assert.That(leaks, Is.Empty, "a label names the repository: the series would grow with every repository");
            Assert.That(samples.Select(s => s.Labels.GetValueOrDefault("http_route")).OfType<string>().Distinct(), Has.None.Contains(image.Digest.ToString()));
        }

        // The status page keeps its totals (the push benchmark reads them), now with the new instruments.
        var totals = await api.GetJsonAsync("/status/metrics/");
        Assert.That(totals["berth.registry.pushes"]?["count"]?.GetValue<long>(), Is.GreaterThanOrEqualTo(1), totals.ToJsonString());
    }

    [Test]
    public async Task OpenMetricsAccept_OddAcceptHeaders_AndQueries_AllGetAnExpositionThatParses()
    {
        await using var server = await ServerProcess.StartAsync(Folder.Path, "--data-dir", Folder.Combine("data"));
        using var anonymous = server.CreateAnonymousClient();

        var openMetrics = await ScrapeAsync(anonymous, "/metrics", "application/openmetrics-text; version=1.0.0; charset=utf-8");
        var odd = await ScrapeAsync(anonymous, "/metrics?name[]=x&debug=%00&&=", "text/html;;; q=zz, application/openmetrics-text; version=99");
        var none = await ScrapeAsync(anonymous, "/metrics", null);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(openMetrics, Does.EndWith("# EOF\n"));
            Assert.That(Names(PrometheusExposition.Parse(openMetrics, openMetrics: true)), Does.Contain("berth_http_requests_total"));
            Assert.That(Names(PrometheusExposition.Parse(odd, openMetrics: odd.EndsWith("# EOF\n", StringComparison.Ordinal))), Does.Contain("berth_http_requests_total"));
            Assert.That(Names(PrometheusExposition.Parse(none)), Does.Contain("berth_http_requests_total"));
        }

        using var head = await anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/metrics"));
        Assert.That(head.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await server.DrainErrorsAsync(), Is.Empty);
    }

    [Test]
    public async Task ForAdministrators_AtAnotherPath_AnonymousGets401_AUserWithoutGrants403_AndTheAdministrator200()
    {
        await using var server = await ServerProcess.StartAsync(
            Folder.Path, "--data-dir", Folder.Combine("data"), "--Berth:Metrics:Access=Administrators", "--Berth:Metrics:Path=/internal/metrics");
        using var admin = server.CreateClient();
        var password = await CreateUserWithoutGrantsAsync(admin, "scraper");
        using var anonymous = server.CreateAnonymousClient();
        using var user = server.CreateAnonymousClient().SignIn("scraper", password);

        using var refused = await anonymous.GetAsync("/internal/metrics");
        await ContentApiClient.ReadErrorAsync(refused, HttpStatusCode.Unauthorized, "BRT0401");
        using var forbidden = await user.GetAsync("/internal/metrics");
        await ContentApiClient.ReadErrorAsync(forbidden, HttpStatusCode.Forbidden, "BRT0403");
        using var former = await admin.GetAsync("/metrics");
        await ContentApiClient.ReadErrorAsync(former, HttpStatusCode.NotFound);
        Assert.That(Names(PrometheusExposition.Parse(await ScrapeAsync(admin, "/internal/metrics"))), Does.Contain("berth_http_requests_total"));
    }

    [Test]
    public async Task ForTheSignedIn_AUserWithoutGrantsMayScrape_AndAnonymousGets401()
    {
        await using var server = await ServerProcess.StartAsync(Folder.Path, "--data-dir", Folder.Combine("data"), "--Berth:Metrics:Access=SignedIn");
        using var admin = server.CreateClient();
        var password = await CreateUserWithoutGrantsAsync(admin, "scraper");
        using var anonymous = server.CreateAnonymousClient();
        using var user = server.CreateAnonymousClient().SignIn("scraper", password);

        using var refused = await anonymous.GetAsync("/metrics");
        await ContentApiClient.ReadErrorAsync(refused, HttpStatusCode.Unauthorized, "BRT0401");
        Assert.That(Names(PrometheusExposition.Parse(await ScrapeAsync(user, "/metrics"))), Does.Contain("berth_http_requests_total"));
    }

    [Test]
    public async Task APathInsideAnApi_StopsTheStart_NamingTheSetting()
    {
        var exit = await ServerProcess.RunToExitAsync(
            ServerProcess.StartInfo(Folder.Path, "--urls", "http://127.0.0.1:0", "--data-dir", Folder.Combine("data"), "--Berth:Metrics:Path=/v2/metrics"), Bound);
        Assert.That(exit.Code, Is.EqualTo(2), exit.Output + exit.Errors);
        Assert.That(exit.Errors, Does.Contain("Berth:Metrics:Path"));
    }

    private static async Task<string> ScrapeAsync(HttpClient client, string path, string? accept = "text/plain; version=0.0.4")
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.AnyOf("text/plain", "application/openmetrics-text"));
        return body;
    }

    private static async Task<string> CreateUserWithoutGrantsAsync(HttpClient admin, string login)
    {
        var password = login + "-password-1";
        using var response = await new ContentApiClient(admin).PostJsonAsync(
            "/users/", new JsonObject { ["login"] = login, ["password"] = password, ["grants"] = new JsonArray() });
        await ContentApiClient.ReadAsync(response, HttpStatusCode.Created);
        return password;
    }

    private static double Sum(IEnumerable<MetricSample> samples, string name, params (string Label, string Value)[] labels) =>
        samples.Where(s => s.Name == name && labels.All(l => s.Labels.GetValueOrDefault(l.Label) == l.Value)).Sum(s => s.Value);

    private static List<string> Names(IEnumerable<MetricSample> samples) => [.. samples.Select(s => s.Name).Distinct()];
}
