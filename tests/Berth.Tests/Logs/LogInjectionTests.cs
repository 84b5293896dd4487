using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Berth.Server.Logging;
using Berth.Tests.Hostile;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Logs;

/// <summary>
/// Pen-test finding 7 (issue 18), against the real server process and its console log: control characters in a
/// request (a URL-encoded newline in a repository id, a token name, a display name) must never start a line of
/// their own. Every line that reads as an audit line is one the server wrote for a change the test made, and the
/// injected text is there, escaped, on the line of the entry that quoted it. Run with the "simple" console
/// formatter (which indents continuation lines exactly as audit lines are indented) and with the JSON one.
/// </summary>
[TestFixture("simple")]
[TestFixture("json")]
[NonParallelizable]
public sealed partial class LogInjectionTests(string formatter) : FolderPerTest
{
    private const string Indent = "%20%20%20%20%20%20";
    private const string ForgedAction = "audit action=forged";

    /// <summary>What a forged audit line looks like once the request's encoding is undone.</summary>
    private static string Forged(string target) => $"x\n      {ForgedAction} target={target} user=admin from=127.0.0.1 detail=";

    private static readonly string[] GenuineActions = ["repository.create", "repository.update", "token.create"];

    [Test]
    public async Task ControlCharactersFromRequests_NeverForgeALogLine()
    {
        await using var server = await StartAsync();
        var address = server.BaseAddress;

        // Signed in, in JSON bodies: a refused id (its message quotes it), a display name and notes that are stored
        // and audited, a token name (refused: names must print, and the refusal's message is logged).
        using var http = server.CreateClient();
        var api = new ContentApiClient(http);
        using (var refused = await api.PostJsonAsync("/repositories/", new JsonObject { ["id"] = Forged("body-id") }))
        {
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        }

        using (var created = await api.PostJsonAsync("/repositories/", new JsonObject
        {
            ["id"] = "genuine",
            ["display_name"] = Forged("display-name"),
            ["notes"] = new JsonObject { ["n"] = Forged("notes") },
        }))
        {
            await ContentApiClient.ReadAsync(created, HttpStatusCode.Created);
        }

        using (var updated = await http.PutAsync("/pulp/api/v2/repositories/genuine/", Json(new JsonObject { ["delta"] = new JsonObject { ["display_name"] = Forged("update") } })))
        {
            await ContentApiClient.ReadAsync(updated, HttpStatusCode.OK);
        }

        using (var token = await api.PostJsonAsync("/users/admin/tokens/", new JsonObject { ["name"] = Forged("token-name") }))
        {
            Assert.That(token.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), await token.Content.ReadAsStringAsync());
        }

        // In the path, mostly anonymous: the content API's 404 and the registry's refusals quote what they got.
        (string Target, bool SignedIn)[] paths =
        [
            ($"/pulp/api/v2/repositories/x%0A{Indent}audit%20action%3Dforged%20target%3Dpath-lf/", false),
            ($"/pulp/api/v2/repositories/x%0D%0A{Indent}audit%20action%3Dforged%20target%3Dpath-crlf/", false),
            ("/pulp/api/v2/repositories/x%E2%80%A8audit%20action%3Dforged%20target%3Dpath-ls/", false),
            ("/pulp/api/v2/repositories/x%E2%80%AEdrocer%0B%1B%5B2J/", false),
            ($"/v2/x%0A{Indent}audit%20action%3Dforged/tags/list", false),
            ($"/v2/genuine/manifests/x%0A{Indent}audit%20action%3Dforged%20target%3Dregistry-tag", false),
            ($"/v2/genuine/manifests/x%0A{Indent}audit%20action%3Dforged%20target%3Dregistry-tag-signed-in", true),
            ($"/v2/_catalog?n=1%0A{Indent}audit%20action%3Dforged", true),
        ];
        foreach (var (target, signedIn) in paths)
        {
            var response = await RawHttp.SendAsync(address, Head(target, signedIn), []);
            Assert.That(response.Status, Is.InRange(400, 499), $"{target}: {response.Text}");
        }

        // The console log is written in order, so once this last refusal is there, so is everything before it.
        await RawHttp.SendAsync(address, Head("/pulp/api/v2/repositories/end-of-test/", false), []);
        var output = await WaitForOutputAsync(server, "end-of-test");

        using (Assert.EnterMultipleScope())
        {
            if (formatter == "json")
            {
                AssertJsonLog(output);
            }
            else
            {
                AssertSimpleLog(output);
            }

            Assert.That(output.IndexOfAny(['\r', '\u2028', '\u202e', '\u000b', '\u001b']), Is.EqualTo(-1), "a raw control character reached the log");
            Assert.That(await server.DrainErrorsAsync(), Is.Empty, "the server logged errors");
        }
    }

    /// <summary>The simple formatter: every line that reads as an audit line follows an audit entry's header.</summary>
    private static void AssertSimpleLog(string output)
    {
        var lines = output.Split('\n');
        var audit = lines
            .Select((line, i) => (Line: line, Header: i > 0 ? lines[i - 1] : string.Empty))
            .Where(l => l.Line.Contains("audit action=", StringComparison.Ordinal))
            .ToList();
        foreach (var (line, header) in audit.Where(l => l.Line.TrimStart().StartsWith("audit action=", StringComparison.Ordinal)))
        {
            Assert.That(header, Is.EqualTo("info: Berth.Audit[0]"), $"a line that reads as an audit line but is not one:\n{line}");
            Assert.That(AuditAction().Match(line).Groups[1].Value, Is.AnyOf(GenuineActions), line);
        }

        Assert.That(lines.Where(l => l.TrimStart().StartsWith(ForgedAction, StringComparison.Ordinal)), Is.Empty, "a forged audit line");
        Assert.That(audit.Select(l => AuditAction().Match(l.Line).Groups[1].Value), Is.SupersetOf(new[] { "repository.create", "repository.update" }));
        Assert.That(output, Does.Contain(@"repository x\n      audit action=forged target=path-lf"));
        Assert.That(output, Does.Contain(@"repository x\r\n      audit action=forged target=path-crlf"));
        Assert.That(output, Does.Contain(@"repository x\u2028audit action=forged target=path-ls"));
        Assert.That(output, Does.Contain(@"repository x\u202edrocer\u000b\u001b[2J"));
        Assert.That(output, Does.Contain(@"x\n      audit action=forged target=body-id"));
        Assert.That(output, Does.Contain(@"'x\n      audit action=forged target=regis...' is not a valid tag"));
        Assert.That(output, Does.Contain(@"not '1\n      audit action=forged'"));
    }

    /// <summary>The JSON formatter: one entry per line, no control character in any text it holds, audits genuine.</summary>
    private static void AssertJsonLog(string output)
    {
        var entries = new List<JsonObject>();
        foreach (var line in output.Split('\n').Where(l => l.Length > 0))
        {
            JsonObject? entry = null;
            Assert.DoesNotThrow(() => entry = JsonNode.Parse(line) as JsonObject, $"a log line that is not one entry:\n{line}");
            Assert.That(entry, Is.Not.Null, line);
            entries.Add(entry!);
        }

        foreach (var text in entries.SelectMany(e => Texts(e, exclude: "Exception")))
        {
            Assert.That(LogText.NeedsEscaping(text), Is.False, $"an entry holds a control character: {JsonSerializer.Serialize(text)}");
        }

        var audit = entries.Where(e => e["Category"]?.GetValue<string>() == "Berth.Audit").Select(e => e["Message"]!.GetValue<string>()).ToList();
        Assert.That(audit.Select(m => AuditAction().Match(m).Groups[1].Value), Is.SubsetOf(GenuineActions).And.SupersetOf(new[] { "repository.create", "repository.update" }));
        var messages = string.Join("\n", entries.Select(e => e["Message"]?.GetValue<string>()));
        Assert.That(messages, Does.Contain(@"repository x\n      audit action=forged target=path-lf"));
        Assert.That(messages, Does.Contain(@"repository x\u2028audit action=forged target=path-ls"));
        Assert.That(messages, Does.Contain(@"'x\n      audit action=forged target=regis...' is not a valid tag"));
        Assert.That(messages, Does.Contain(@"not '1\n      audit action=forged'"));
    }

    private static IEnumerable<string> Texts(JsonNode? node, string? exclude = null) => node switch
    {
        JsonObject o => o.Where(p => p.Key != exclude).SelectMany(p => Texts(p.Value).Append(p.Key)),
        JsonArray a => a.SelectMany(i => Texts(i)),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => [v.GetValue<string>()],
        _ => [],
    };

    private async Task<ServerProcess> StartAsync()
    {
        var start = ServerProcess.StartInfo(Folder.Path, "--urls", "http://127.0.0.1:0", "--data-dir", Folder.Combine("data"));
        start.Environment["Logging__Console__FormatterName"] = formatter;
        return await ServerProcess.StartAsync(start);
    }

    private static async Task<string> WaitForOutputAsync(ServerProcess server, string text)
    {
        var logged = await Eventually.WaitAsync(() => server.Output.Contains(text, StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        Assert.That(logged, Is.True, $"the server did not log '{text}':\n{server.Output}");
        return server.Output;
    }

    private static string Head(string target, bool signedIn)
    {
        var head = new StringBuilder($"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close");
        if (signedIn)
        {
            head.Append("\r\nAuthorization: ").Append(TestCredentials.Basic(TestCredentials.AdminLogin, TestCredentials.AdminPassword));
        }

        return head.ToString();
    }

    private static StringContent Json(JsonNode body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");

    [GeneratedRegex(@"audit action=(\S+)")]
    private static partial Regex AuditAction();
}
