using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.OpenApi;

/// <summary>
/// Every response the OpenAPI document describes is what the real server process answers: a walk through the whole
/// content API, users and tokens and the probes, each response checked against the document's schema for its path,
/// method and status by a JSON Schema validator, strictly (no field the document does not declare, no required one
/// missing); and every documented operation with a JSON body on success is exercised.
/// </summary>
[NonParallelizable]
public sealed class ApiDocumentResponseTests : FolderPerTest
{
    private const string Root = ContentApiClient.Root;

    [Test]
    public async Task EveryDocumentedResponse_IsWhatTheEndpointAnswers_AndEveryOperationIsExercised()
    {
        var dataDir = Folder.Combine("data");
        await using var server = await ServerProcess.StartAsync(Folder.Path, "--data-dir", dataDir);
        var recorder = new RecordingHandler();
        using var anonymous = new HttpClient(recorder, disposeHandler: false) { BaseAddress = server.BaseAddress };
        using var admin = new HttpClient(recorder, disposeHandler: false) { BaseAddress = server.BaseAddress }.SignIn();
        var api = new ContentApiClient(admin);

        using var document = await anonymous.GetAsync(ApiContract.DocumentPath);
        var contract = new ApiContract(JsonNode.Parse(await document.Content.ReadAsStringAsync())!.AsObject());

        await WalkAsync(api, anonymous, admin);
        await FailAsync(recorder, anonymous, admin);

        // Last: a readiness probe that fails, with its reasons.
        Directory.Delete(Path.Combine(dataDir, "content"), recursive: true);
        (await anonymous.GetAsync("/readyz")).Dispose();

        var problems = new List<string>();
        var exercised = new HashSet<(Operation, int)>();
        foreach (var response in recorder.Responses.Where(r => r.Path != ApiContract.DocumentPath))
        {
            problems.AddRange(Check(contract, response, exercised));
        }

        var missing = contract.JsonSuccesses.Where(s => !exercised.Contains(s)).Select(s => $"{s.Operation} {s.Status}").ToList();
        var errorsChecked = exercised.Where(e => e.Item2 >= 400).Select(e => e.Item2).Distinct().Order().ToList();
        TestContext.Out.WriteLine($"{recorder.Responses.Count} responses; {exercised.Count} documented responses exercised; error statuses checked: {string.Join(", ", errorsChecked)}");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(problems, Is.Empty, "responses that are not what the document says");
            Assert.That(missing, Is.Empty, "documented operations with a JSON body that the walk did not exercise");
            Assert.That(errorsChecked, Is.SupersetOf(new[] { 400, 401, 403, 404, 409, 503 }), "error responses checked against the documented error shape");
        }
    }

    /// <summary>What is wrong with one response, as the document describes it.</summary>
    private static IEnumerable<string> Check(ApiContract contract, RecordedResponse response, HashSet<(Operation, int)> exercised)
    {
        var operation = contract.Find(response.Method, response.Path);
        if (operation is null)
        {
            // A path the server does not map answers in the content API's error shape; nothing documents it.
            yield break;
        }

        if (!contract.Statuses(operation).Contains(response.Status))
        {
            yield return $"{response}: the document gives {operation} no {response.Status} ({response.Body})";
            yield break;
        }

        exercised.Add((operation, response.Status));
        var schema = contract.Schema(operation, response.Status);
        if (response.Method == "HEAD")
        {
            yield break;
        }

        if (schema is null)
        {
            if (response.Body.Length > 0)
            {
                yield return $"{response}: the document gives no body, the server wrote {response.Body}";
            }

            yield break;
        }

        if (response.MediaType != "application/json")
        {
            yield return $"{response}: documented as application/json, written as {response.MediaType}";
            yield break;
        }

        foreach (var error in ApiContract.Validate(schema, response.Body))
        {
            yield return $"{response} ({operation}): {error}\n  body: {response.Body}";
        }
    }

    /// <summary>Every operation, answered as it should be.</summary>
    private static async Task WalkAsync(ContentApiClient api, HttpClient anonymous, HttpClient admin)
    {
        await SendAsync(anonymous, HttpMethod.Get, "/healthz");
        await SendAsync(anonymous, HttpMethod.Head, "/healthz");
        await SendAsync(anonymous, HttpMethod.Get, "/readyz");
        await SendAsync(anonymous, HttpMethod.Head, "/readyz");
        await SendAsync(anonymous, HttpMethod.Get, $"{Root}/status/");
        await SendAsync(admin, HttpMethod.Get, $"{Root}/status/metrics/");
        await SendAsync(admin, HttpMethod.Get, $"{Root}/plugins/importers/");
        await SendAsync(admin, HttpMethod.Get, $"{Root}/plugins/importers/docker_blob_importer/");
        await SendAsync(admin, HttpMethod.Get, $"{Root}/plugins/types/");
        await SendAsync(admin, HttpMethod.Get, $"{Root}/plugins/types/docker_blob/");

        // Repositories and importers.
        await api.CreateDockerRepositoryAsync("app");
        await api.CreateDockerRepositoryAsync("staging");
        await SendAsync(admin, HttpMethod.Get, $"{Root}/repositories/");
        await SendAsync(admin, HttpMethod.Get, $"{Root}/repositories/?details=true");
        await SendAsync(admin, HttpMethod.Get, $"{Root}/repositories/?registry_name=app");
        await SendAsync(admin, HttpMethod.Get, $"{Root}/repositories/app/?details=true");
        await SendAsync(admin, HttpMethod.Put, $"{Root}/repositories/app/", new JsonObject { ["delta"] = new JsonObject { ["description"] = "the app", ["notes"] = new JsonObject { ["team"] = "ci" } } });
        await SendAsync(admin, HttpMethod.Get, $"{Root}/repositories/app/importers/");
        await SendAsync(admin, HttpMethod.Get, $"{Root}/repositories/app/importers/docker_blob_importer/");
        await SendAsync(admin, HttpMethod.Put, $"{Root}/repositories/app/importers/docker_manifest_importer/", new JsonObject { ["importer_config"] = new JsonObject { ["max_manifest_bytes"] = 4_194_304 } });

        // Uploads: one left to look at and delete; the images go through upload and import.
        var uploadId = await api.CreateUploadAsync();
        (await api.PutSegmentAsync(uploadId, 0, "abc"u8.ToArray())).Dispose();
        await SendAsync(admin, HttpMethod.Get, $"{Root}/content/uploads/");
        await SendAsync(admin, HttpMethod.Get, $"{Root}/content/uploads/{uploadId}/");
        await SendAsync(admin, HttpMethod.Delete, $"{Root}/content/uploads/{uploadId}/");
        var first = TestManifest.DockerImage(layers: 1, layerSize: 256);
        var second = TestManifest.DockerImage(layers: 1, layerSize: 256);
        await api.ImportImageAsync("app", first, "v1");
        await api.ImportImageAsync("app", second, "v1");
        await api.SearchUnitsAsync("app");

        // Tags, promotion, removal.
        await SendAsync(admin, HttpMethod.Get, $"{Root}/repositories/app/tags/v1/history/");
        await SendAsync(admin, HttpMethod.Post, $"{Root}/repositories/app/actions/tag_rollback/", new JsonObject { ["tag"] = "v1" });
        await SendAsync(admin, HttpMethod.Post, $"{Root}/repositories/staging/actions/associate/", new JsonObject { ["source_repo_id"] = "app" });
        await SendAsync(admin, HttpMethod.Post, $"{Root}/repositories/staging/actions/unassociate/", new JsonObject
        {
            ["criteria"] = new JsonObject { ["type_ids"] = new JsonArray("docker_tag") },
        });

        // Sync: a repository synced from app through this server's own registry API (its token challenge included); the
        // task polled until it ends, listed, and cancelled once ended (a no-op, answered as Pulp 2 does).
        await api.CreateDockerRepositoryAsync("mirror");
        await SendAsync(admin, HttpMethod.Post, $"{Root}/repositories/mirror/importers/", new JsonObject
        {
            ["importer_type_id"] = "docker_sync_importer",
            ["importer_config"] = new JsonObject
            {
                ["feed"] = admin.BaseAddress!.AbsoluteUri,
                ["upstream_name"] = "app",
                ["username"] = TestCredentials.AdminLogin,
                ["password"] = TestCredentials.AdminPassword,
            },
        });
        var task = (await SendAsync(admin, HttpMethod.Post, $"{Root}/repositories/mirror/actions/sync/", new JsonObject()))["spawned_tasks"]![0]!["_href"]!.GetValue<string>();
        Assert.That(
            await Eventually.WaitAsync(async () => (await SendAsync(admin, HttpMethod.Get, task))["state"]!.GetValue<string>() == "finished", TimeSpan.FromSeconds(60)),
            Is.True,
            "the sync finished");
        await SendAsync(admin, HttpMethod.Get, $"{Root}/tasks/?repository=mirror&state=finished");
        await SendAsync(admin, HttpMethod.Delete, task);
        var schedules = $"{Root}/repositories/mirror/importers/docker_sync_importer/schedules/sync/";
        var schedule = (await SendAsync(admin, HttpMethod.Post, schedules, new JsonObject { ["schedule"] = "PT6H" }))["_href"]!.GetValue<string>();
        await SendAsync(admin, HttpMethod.Get, schedules);
        await SendAsync(admin, HttpMethod.Get, schedule);
        await SendAsync(admin, HttpMethod.Put, schedule, new JsonObject { ["enabled"] = false });
        await SendAsync(admin, HttpMethod.Delete, schedule);

        // Retention.
        await SendAsync(admin, HttpMethod.Put, $"{Root}/repositories/app/retention/", new JsonObject
        {
            ["tags"] = new JsonArray(new JsonObject { ["pattern"] = "*", ["keep"] = 1 }),
            ["untagged_older_than_seconds"] = 0,
        });
        await SendAsync(admin, HttpMethod.Get, $"{Root}/repositories/app/retention/");
        await SendAsync(admin, HttpMethod.Post, $"{Root}/repositories/app/actions/apply_retention/", new JsonObject { ["dry_run"] = true });
        await SendAsync(admin, HttpMethod.Post, $"{Root}/repositories/app/actions/apply_retention/", new JsonObject());
        await SendAsync(admin, HttpMethod.Delete, $"{Root}/repositories/app/retention/");

        // Orphans: what staging alone held becomes one when it goes.
        await api.UnassociateAllAsync("staging");
        await SendAsync(admin, HttpMethod.Get, $"{Root}/content/orphans/");
        await SendAsync(admin, HttpMethod.Get, $"{Root}/content/orphans/docker_blob/");
        var orphans = (await api.GetJsonAsync("/content/orphans/docker_blob/")).AsArray();
        var orphan = orphans[0]!["_href"]!.GetValue<string>();
        await SendAsync(admin, HttpMethod.Get, orphan);
        var userMetadata = $"{Root}/content/units/docker_blob/{orphans[0]!["_id"]!.GetValue<string>()}/pulp_user_metadata/";
        await SendAsync(admin, HttpMethod.Put, userMetadata, new JsonObject { ["team"] = "builds" });
        await SendAsync(admin, HttpMethod.Get, userMetadata);
        await SendAsync(admin, HttpMethod.Get, $"{Root}/content/units/docker_blob/");
        await SendAsync(admin, HttpMethod.Post, $"{Root}/content/units/docker_blob/search/", new JsonObject
        {
            ["criteria"] = new JsonObject { ["filters"] = new JsonObject { ["pulp_user_metadata.team"] = "builds" }, ["fields"] = new JsonArray("digest") },
            ["include_repos"] = true,
        });
        await SendAsync(admin, HttpMethod.Get, $"{Root}/content/units/docker_blob/{orphans[0]!["_id"]!.GetValue<string>()}/");
        await SendAsync(admin, HttpMethod.Delete, orphan);
        await SendAsync(admin, HttpMethod.Post, $"{Root}/content/actions/delete_orphans/", new JsonArray(
            [.. orphans.Skip(1).Take(1).Select(o => (JsonNode)new JsonObject { ["content_type_id"] = "docker_blob", ["unit_id"] = o!["_id"]!.GetValue<string>() })]));
        await SendAsync(admin, HttpMethod.Delete, $"{Root}/content/orphans/docker_blob/?older_than_seconds=0");
        await SendAsync(admin, HttpMethod.Delete, $"{Root}/content/orphans/?older_than_seconds=0");
        await SendAsync(admin, HttpMethod.Post, $"{Root}/content/actions/verify/");

        // Users, grants, tokens.
        await SendAsync(admin, HttpMethod.Post, $"{Root}/users/", new JsonObject
        {
            ["login"] = "ci",
            ["password"] = "a-long-enough-password",
            ["grants"] = new JsonArray(new JsonObject { ["pattern"] = "app", ["actions"] = new JsonArray("pull", "push") }),
        });
        await SendAsync(admin, HttpMethod.Get, $"{Root}/users/");
        await SendAsync(admin, HttpMethod.Get, $"{Root}/users/search/");
        await SendAsync(admin, HttpMethod.Get, $"{Root}/repositories/search/?importers=true");
        await SendAsync(admin, HttpMethod.Post, $"{Root}/repositories/search/", new JsonObject
        {
            ["criteria"] = new JsonObject { ["filters"] = new JsonObject { ["id"] = new JsonObject { ["$regex"] = "^a" } }, ["limit"] = 5 },
            ["details"] = true,
        });
        await SendAsync(admin, HttpMethod.Post, $"{Root}/users/search/", new JsonObject { ["criteria"] = new JsonObject { ["filters"] = new JsonObject { ["login"] = "ci" } } });
        await SendAsync(admin, HttpMethod.Get, $"{Root}/users/ci/");
        await SendAsync(admin, HttpMethod.Put, $"{Root}/users/ci/", new JsonObject { ["delta"] = new JsonObject { ["password"] = "another-long-password" } });
        var token = await SendAsync(admin, HttpMethod.Post, $"{Root}/users/ci/tokens/", new JsonObject { ["name"] = "deploy", ["expires_in_days"] = 1 });
        await SendAsync(admin, HttpMethod.Get, $"{Root}/users/ci/tokens/");
        await SendAsync(admin, HttpMethod.Delete, $"{Root}/users/ci/tokens/{token["id"]!.GetValue<string>()}/");
        await SendAsync(admin, HttpMethod.Get, "/token?service=berth&scope=repository:app:pull,push");
        await SendAsync(admin, HttpMethod.Delete, $"{Root}/users/ci/");

        // And the removals.
        await SendAsync(admin, HttpMethod.Delete, $"{Root}/repositories/staging/importers/docker_blob_importer/");
        await SendAsync(admin, HttpMethod.Delete, $"{Root}/repositories/staging/");
    }

    /// <summary>Failures the document describes, in the content API's error shape (and the registry's, for /token).</summary>
    private static async Task FailAsync(RecordingHandler recorder, HttpClient anonymous, HttpClient admin)
    {
        await SendAsync(admin, HttpMethod.Get, $"{Root}/repositories/nowhere/", expectSuccess: false);
        await SendAsync(anonymous, HttpMethod.Get, $"{Root}/users/", expectSuccess: false);
        await SendAsync(admin, HttpMethod.Post, $"{Root}/repositories/", new JsonObject { ["id"] = "app" }, expectSuccess: false);
        await SendAsync(admin, HttpMethod.Post, $"{Root}/repositories/", new JsonObject { ["id"] = "app", ["colour"] = "blue" }, expectSuccess: false);
        await SendAsync(admin, HttpMethod.Delete, $"{Root}/content/orphans/?older_than_seconds=soon", expectSuccess: false);
        await SendAsync(admin, HttpMethod.Get, "/token?service=berth&scope=nonsense", expectSuccess: false);

        // A user without grants may not read the administrators' pages.
        await SendAsync(admin, HttpMethod.Post, $"{Root}/users/", new JsonObject { ["login"] = "nobody", ["password"] = "a-long-enough-password" });
        using var nobody = new HttpClient(recorder, disposeHandler: false) { BaseAddress = admin.BaseAddress }.SignIn("nobody", "a-long-enough-password");
        await SendAsync(nobody, HttpMethod.Get, $"{Root}/status/metrics/", expectSuccess: false);
    }

    private static async Task<JsonNode> SendAsync(HttpClient client, HttpMethod method, string path, JsonNode? body = null, bool expectSuccess = true)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
        }

        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.IsSuccessStatusCode, Is.EqualTo(expectSuccess), $"{method} {path}: {(int)response.StatusCode} {text}");
        return text.Length == 0 ? new JsonObject() : JsonNode.Parse(text)!;
    }
}
