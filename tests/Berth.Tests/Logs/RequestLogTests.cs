using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Berth.Tests.Hostile;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Logs;

/// <summary>
/// The request log (issue 14), against the real server process and its console log: one line per request, written
/// as it ends, with method, route template, status, body bytes, duration, caller and trace id, as fields of the JSON
/// formatter and as a readable line of the simple one; trace ids from a W3C <c>traceparent</c>.
/// </summary>
public sealed class RequestLogTests : FolderPerTest
{
    private const string Category = "Berth.Requests";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Test]
    public async Task JsonFormatter_WritesOneEntryPerRequest_WithEveryFieldAndTheCallersTraceId()
    {
        // ASP.NET Core's own logs off: the request's activity, and so its trace id, must not depend on them.
        await using var server = await StartAsync("json", "--Logging:LogLevel:Microsoft.AspNetCore=None");
        using var anonymous = server.CreateAnonymousClient();
        using var admin = server.CreateClient();

        var statusTrace = NewTraceId();
        using var status = await SendAsync(anonymous, HttpMethod.Get, "/pulp/api/v2/status/", statusTrace);
        var statusBody = await status.Content.ReadAsByteArrayAsync();

        var createTrace = NewTraceId();
        var createBody = Encoding.UTF8.GetBytes("""{"id": "logged"}""");
        using var created = await SendAsync(admin, HttpMethod.Post, "/pulp/api/v2/repositories/", createTrace, new ByteArrayContent(createBody) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } });
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created), await created.Content.ReadAsStringAsync());

        // A push: every request of it carries the same trace; the registry's routes are logged as templates.
        var pushTrace = NewTraceId();
        using var pusher = server.CreateClient();
        pusher.DefaultRequestHeaders.Add("traceparent", TraceParent(pushTrace));
        var image = TestManifest.DockerImage(layers: 2, layerSize: 3000);
        await new RegistryClient(pusher).PushImageAsync("team/app", image, "v1");

        using var malformed = await SendAsync(anonymous, HttpMethod.Get, "/pulp/api/v2/repositories/malformed-trace/", null, traceparent: "00-not-a-trace-id-01");
        using var fresh1 = await SendAsync(anonymous, HttpMethod.Get, "/pulp/api/v2/repositories/fresh-1/", null);
        using var fresh2 = await SendAsync(anonymous, HttpMethod.Get, "/pulp/api/v2/repositories/fresh-2/", null);
        Assert.That(malformed.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "a malformed traceparent is ignored, never an error");

        var pushRequests = (2 * image.Blobs.Count) + 1;
        var entries = await WaitForEntriesAsync(server, e =>
            e.Count(x => Field(x, "TraceId") == pushTrace) >= pushRequests &&
            e.Any(x => Field(x, "TraceId") == statusTrace) && e.Any(x => Field(x, "TraceId") == createTrace) &&
            new[] { "malformed-trace", "fresh-1", "fresh-2" }.All(p => e.Any(x => Field(x, "Path")!.Contains(p, StringComparison.Ordinal))));

        using (Assert.EnterMultipleScope())
        {
            var statusEntry = Single(entries, "TraceId", statusTrace);
            AssertEntry(statusEntry, "GET", "/pulp/api/v2/status/", 200, 0, statusBody.Length, "anonymous", "/pulp/api/v2/status/");

            var createEntry = Single(entries, "TraceId", createTrace);
            AssertEntry(createEntry, "POST", "/pulp/api/v2/repositories/", 201, createBody.Length, null, "admin", "/pulp/api/v2/repositories/");

            var push = entries.Where(e => Field(e, "TraceId") == pushTrace).ToList();
            Assert.That(push, Has.Count.EqualTo(pushRequests), "one entry per request of the push");
            Assert.That(push.Select(e => Field(e, "Route")), Is.All.Not.Contain("team").And.All.StartWith("/v2/{name}/"), "routes are templates, not names");
            Assert.That(push.Select(e => Field(e, "Path")), Is.All.StartWith("/v2/team/app/"));
            Assert.That(push.Select(e => Field(e, "Caller")), Is.All.EqualTo("admin"));
            Assert.That(
                push.Select(e => $"{Field(e, "Method")} {Field(e, "Route")} {Number(e, "Status")}"),
                Is.EquivalentTo(
                    Enumerable.Repeat("POST /v2/{name}/blobs/uploads/ 202", image.Blobs.Count)
                        .Concat(Enumerable.Repeat("PUT /v2/{name}/blobs/uploads/{reference} 201", image.Blobs.Count))
                        .Append("PUT /v2/{name}/manifests/{reference} 201")));
            var blobPuts = push.Where(e => Field(e, "Route") == "/v2/{name}/blobs/uploads/{reference}").Select(e => Number(e, "BytesReceived"));
            Assert.That(blobPuts, Is.EquivalentTo(image.Blobs.Select(b => (double)b.Bytes.Length)), "a blob's bytes, as received");
            var manifestPut = push.Single(e => Field(e, "Route") == "/v2/{name}/manifests/{reference}");
            Assert.That(Number(manifestPut, "BytesReceived"), Is.EqualTo(image.Bytes.Length));

            var malformedEntry = Single(entries, "Path", "/pulp/api/v2/repositories/malformed-trace/");
            var fresh = new[] { malformedEntry, Single(entries, "Path", "/pulp/api/v2/repositories/fresh-1/"), Single(entries, "Path", "/pulp/api/v2/repositories/fresh-2/") };
            var freshIds = fresh.Select(e => Field(e, "TraceId")).ToList();
            Assert.That(freshIds, Has.All.Match("^[0-9a-f]{32}$"), "requests without a valid traceparent get fresh trace ids");
            Assert.That(freshIds, Is.Unique);
            Assert.That(Number(malformedEntry, "Status"), Is.EqualTo(401));
            Assert.That(Field(malformedEntry, "Route"), Is.EqualTo("/pulp/api/v2/repositories/{repo}/"));
            Assert.That(await server.DrainErrorsAsync(), Is.Empty, "the server logged errors");
        }
    }

    [Test]
    public async Task SimpleFormatter_WritesOneReadableLinePerRequest()
    {
        await using var server = await StartAsync("simple");
        using var admin = server.CreateClient();
        var trace = NewTraceId();
        using var response = await SendAsync(admin, HttpMethod.Get, "/v2/team/app/manifests/latest", trace);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        var sent = (await response.Content.ReadAsByteArrayAsync()).Length;

        var logged = await Eventually.WaitAsync(() => server.Output.Contains($"trace={trace}", StringComparison.Ordinal), Bound);
        Assert.That(logged, Is.True, $"no request line for trace {trace}:\n{server.Output}");
        var lines = server.Output.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var at = lines.FindIndex(l => l.Contains($"trace={trace}", StringComparison.Ordinal));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(lines.Count(l => l.Contains($"trace={trace}", StringComparison.Ordinal)), Is.EqualTo(1), "one line per request");
            Assert.That(lines[at - 1], Is.EqualTo($"info: {Category}[1]"));
            Assert.That(
                lines[at],
                Does.Match($@"^      GET /v2/\{{name\}}/manifests/\{{reference\}} 404 \d+(\.\d+)? ms received=0 sent={sent} caller=admin trace={trace} path=/v2/team/app/manifests/latest$"));
        }
    }

    [Test]
    public async Task RequestLine_IsTurnedOffByItsOwnCategory()
    {
        await using var server = await StartAsync("simple", $"--Logging:LogLevel:{Category}=None");
        using var anonymous = server.CreateAnonymousClient();
        var trace = NewTraceId();
        using (await SendAsync(anonymous, HttpMethod.Get, "/pulp/api/v2/status/", trace))
        {
        }

        // Waits until the server has logged a later request (its refusal), so that the line would be there by now.
        Assert.That(await server.DrainErrorsAsync(), Is.Empty);
        Assert.That(server.Output, Does.Not.Contain(Category).And.Not.Contain(trace));
    }

    /// <summary>
    /// A path that holds what a request line looks like, after a newline, cannot make one: the genuine line holds it
    /// escaped, and the only request lines are those of requests sent.
    /// </summary>
    [TestCase("simple")]
    [TestCase("json")]
    public async Task ControlCharactersInAPath_NeverForgeARequestLine(string formatter)
    {
        await using var server = await StartAsync(formatter);
        string[] targets =
        [
            "/pulp/api/v2/repositories/x%0Ainfo:%20Berth.Requests%5B1%5D%0A%20%20%20%20%20%20GET%20/forged%20200%200%20ms%20caller=admin/",
            "/v2/x%0D%0A%20%20%20%20%20%20GET%20/forged%20200/tags/list",
            "/v2/x/manifests/y%22%7D%7D%0A%7B%22Category%22:%22Berth.Requests%22,%22State%22:%7B%22Path%22:%22/forged%22%7D%7D",
            "/pulp/api/v2/repositories/x%E2%80%A8GET%20/forged%1B%5B2K/",
        ];
        foreach (var target in targets)
        {
            var response = await RawHttp.SendAsync(server.BaseAddress, $"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close", []);
            Assert.That(response.Status, Is.InRange(400, 499), $"{target}: {response.Text}");
        }

        Assert.That(await server.DrainErrorsAsync(), Is.Empty, "the server logged errors");
        var logged = await Eventually.WaitAsync(() => RequestLines(server.Output, formatter).Count >= targets.Length, Bound);
        Assert.That(logged, Is.True, $"the request lines did not all arrive:\n{server.Output}");
        var output = server.Output;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(output.IndexOfAny(['\r', '\u2028', '\u001b']), Is.EqualTo(-1), "a raw control character reached the log");
            Assert.That(RequestLines(output, formatter), Has.Count.EqualTo(targets.Length), "one request line per request sent, no more");
            if (formatter == "json")
            {
                var paths = Entries(output).Select(e => Field(e, "Path")).Where(p => p!.Contains("forged", StringComparison.Ordinal)).ToList();
                Assert.That(paths, Has.None.EqualTo("/forged"));
                Assert.That(paths, Has.All.Match(@"\\[nu]"), "each path holds its control characters escaped");
            }
            else
            {
                var lines = output.Split('\n');
                Assert.That(lines.Where(l => l.TrimStart().StartsWith("GET /forged", StringComparison.Ordinal)), Is.Empty, "a forged request line");
                Assert.That(output, Does.Contain(@"path=/pulp/api/v2/repositories/x\ninfo: Berth.Requests[1]\n      GET /forged 200 0 ms caller=admin/"));
                Assert.That(output, Does.Contain(@"path=/pulp/api/v2/repositories/x\u2028GET /forged\u001b[2K/"));
            }
        }
    }

    /// <summary>The request lines (with their headers, for the simple formatter) of the requests whose paths say "forged".</summary>
    private static List<string> RequestLines(string output, string formatter)
    {
        if (formatter == "json")
        {
            return [.. Entries(output).Where(e => Field(e, "Path")!.Contains("forged", StringComparison.Ordinal)).Select(e => e.ToJsonString())];
        }

        var lines = output.Split('\n');
        return [.. lines.Skip(1).Where((line, i) => lines[i] == $"info: {Category}[1]" && line.Contains("forged", StringComparison.Ordinal))];
    }

    private static void AssertEntry(JsonObject entry, string method, string route, int status, long received, long? sent, string caller, string path)
    {
        Assert.That(entry["Category"]?.GetValue<string>(), Is.EqualTo(Category));
        Assert.That(Field(entry, "Method"), Is.EqualTo(method));
        Assert.That(Field(entry, "Route"), Is.EqualTo(route));
        Assert.That(Number(entry, "Status"), Is.EqualTo(status));
        Assert.That(Number(entry, "BytesReceived"), Is.EqualTo(received));
        Assert.That(Number(entry, "BytesSent"), sent is { } bytes ? Is.EqualTo(bytes) : Is.GreaterThan(0));
        Assert.That(Number(entry, "DurationMs"), Is.GreaterThanOrEqualTo(0));
        Assert.That(Field(entry, "Caller"), Is.EqualTo(caller));
        Assert.That(Field(entry, "Path"), Is.EqualTo(path));
    }

    private static JsonObject Single(List<JsonObject> entries, string field, string value)
    {
        var matching = entries.Where(e => Field(e, field) == value).ToList();
        Assert.That(matching, Has.Count.EqualTo(1), $"entries with {field} {value}");
        return matching[0];
    }

    private static string? Field(JsonObject entry, string name) => entry["State"]?[name]?.GetValue<string>();

    // Numbers stay numbers in the JSON entry, not text.
    private static double Number(JsonObject entry, string name) => entry["State"]![name]!.GetValue<double>();

    private static List<JsonObject> Entries(string output)
    {
        var entries = new List<JsonObject>();
        foreach (var line in output.Split('\n').Where(l => l.Length > 0))
        {
            Assert.That(JsonNode.Parse(line), Is.InstanceOf<JsonObject>(), $"a log line that is not one entry:\n{line}");
            entries.Add((JsonObject)JsonNode.Parse(line)!);
        }

        return [.. entries.Where(e => e["Category"]?.GetValue<string>() == Category)];
    }

    private static async Task<List<JsonObject>> WaitForEntriesAsync(ServerProcess server, Func<List<JsonObject>, bool> complete)
    {
        List<JsonObject> entries = [];
        var done = await Eventually.WaitAsync(() => complete(entries = Entries(server.Output)), Bound);
        Assert.That(done, Is.True, $"the request lines did not all arrive:\n{server.Output}");
        return entries;
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, string? traceId, HttpContent? content = null, string? traceparent = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        if ((traceparent ?? (traceId is null ? null : TraceParent(traceId))) is { } header)
        {
            request.Headers.TryAddWithoutValidation("traceparent", header);
        }

        return await client.SendAsync(request);
    }

    private static string NewTraceId() => Guid.NewGuid().ToString("N");

    private static string TraceParent(string traceId) => $"00-{traceId}-b7ad6b7169203331-01";

    private async Task<ServerProcess> StartAsync(string formatter, params string[] settings)
    {
        var start = ServerProcess.StartInfo(Folder.Path, ["--urls", "http://127.0.0.1:0", "--data-dir", Folder.Combine("data"), .. settings]);
        start.Environment["Logging__Console__FormatterName"] = formatter;
        return await ServerProcess.StartAsync(start);
    }
}
