using System.Net;
using System.Text.Json.Nodes;
using Berth.Tests.Access;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Orphans;

/// <summary>
/// Orphans through <c>/content/orphans/</c> with no grace period: what no repository holds is listed, collected,
/// and its content leaves the content store; what any repository still holds stays.
/// </summary>
[TestFixture(StorageBackend.Default)]
[TestFixture(StorageBackend.PostgreSql)]
[TestFixture(StorageBackend.PostgreSqlS3Streamed)]
public sealed class OrphanApiTests(StorageBackend backend) : AccessFixture(ServerKind.InProcess, backend)
{
    protected override IReadOnlyDictionary<string, string>? Settings => new Dictionary<string, string>
    {
        ["Berth:Lifecycle:OrphanGracePeriod"] = "00:00:00",
    };

    [SetUp]
    public Task StartClean() => CollectAsync();

    [Test]
    public async Task RemovedImage_IsListed_ThenCollected_AndItsFilesLeaveTheDisk()
    {
        var repo = await DockerRepositoryAsync();
        var image = TestManifest.DockerImage(layers: 2, layerSize: 4096);
        await Api.ImportImageAsync(repo, image, "1.0");
        await RemoveAllAsync(repo);

        var listed = await Api.OrphansAsync();
        var expected = image.Blobs.Select(b => b.Digest.ToString()).Append(image.Digest.ToString());
        Assert.That(Digests(listed), Is.SupersetOf(expected));
        Assert.That(listed.Select(u => u!["metadata"]!["_content_type_id"]!.GetValue<string>()), Has.Member("docker_tag"));

        var report = await CollectAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(report["units_removed"]!["docker_blob"]!.GetValue<long>(), Is.EqualTo(image.Blobs.Count));
            Assert.That(report["units_removed"]!["docker_manifest"]!.GetValue<long>(), Is.EqualTo(1));
            Assert.That(report["units_removed"]!["docker_tag"]!.GetValue<long>(), Is.EqualTo(1));
            Assert.That(report["content_files_removed"]!.GetValue<long>(), Is.EqualTo(image.Blobs.Count + 1));
            Assert.That(report["bytes_freed"]!.GetValue<long>(), Is.EqualTo(image.Blobs.Sum(b => b.Bytes.LongLength) + image.Bytes.LongLength));
            foreach (var digest in expected)
            {
                Assert.That(await IsStoredAsync(digest), Is.False, $"{digest} is still stored");
            }
        }

        Assert.That(await Api.OrphansAsync(), Is.Empty);
    }

    [Test]
    public async Task ContentAnotherRepositoryHolds_Stays()
    {
        var (builds, staging) = (await DockerRepositoryAsync(), await DockerRepositoryAsync());
        var image = TestManifest.OciImage(layers: 2);
        await Api.ImportImageAsync(builds, image, "1.0");
        using (var promoted = await Api.PostJsonAsync($"/repositories/{staging}/actions/associate/", new JsonObject
        {
            ["source_repo_id"] = builds,
            ["criteria"] = new JsonObject { ["type_ids"] = new JsonArray("docker_tag"), ["filters"] = new JsonObject { ["unit"] = new JsonObject { ["name"] = "1.0" } } },
        }))
        {
            await ContentApiClient.ReadAsync(promoted, HttpStatusCode.Accepted);
        }

        await RemoveAllAsync(builds);
        var report = await CollectAsync();

        // Only the tag was builds' own unit (a tag is per repository); the shared manifest and blobs stay.
        Assert.That(report["units_removed"]!.AsObject().Select(p => p.Key), Is.EquivalentTo(new[] { "docker_tag" }));
        foreach (var digest in image.Blobs.Select(b => b.Digest.ToString()).Append(image.Digest.ToString()))
        {
            Assert.That(await IsStoredAsync(digest), Is.True, $"{digest} left the store though {staging} holds it");
        }

        using var pulled = await Api.Http.GetAsync($"/v2/{staging}/manifests/1.0");
        Assert.That(pulled.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task CollectionByType_TakesOnlyThatType()
    {
        var repo = await DockerRepositoryAsync();
        var image = TestManifest.OciImage();
        await Api.ImportImageAsync(repo, image);
        await RemoveAllAsync(repo);

        using (var response = await Api.Http.DeleteAsync($"{ContentApiClient.Root}/content/orphans/docker_blob/"))
        {
            var report = (await ContentApiClient.ReadAsync(response, HttpStatusCode.Accepted))["result"]!;
            Assert.That(report["units_removed"]!.AsObject().Select(p => p.Key), Is.EquivalentTo(new[] { "docker_blob" }));
        }

        var manifests = (await Api.GetJsonAsync("/content/orphans/docker_manifest/")).AsArray();
        Assert.That(Digests(manifests), Is.EqualTo(new[] { image.Digest.ToString() }));
        Assert.That((await Api.GetJsonAsync("/content/orphans/docker_blob/")).AsArray(), Is.Empty);
    }

    [Test]
    public async Task DeletedRepository_LeavesOrphans()
    {
        var repo = await DockerRepositoryAsync();
        var image = TestManifest.OciImage();
        await Api.ImportImageAsync(repo, image, "v1");
        using (var deleted = await Api.Http.DeleteAsync($"{ContentApiClient.Root}/repositories/{repo}/"))
        {
            Assert.That((int)deleted.StatusCode, Is.LessThan(300), await deleted.Content.ReadAsStringAsync());
        }

        var report = await CollectAsync();

        Assert.That(report["units_removed_total"]!.GetValue<long>(), Is.EqualTo(image.Blobs.Count + 2));
        Assert.That(await IsStoredAsync(image.Digest.ToString()), Is.False);
    }

    [Test]
    public async Task CollectedContent_CanBePushedAgain()
    {
        var repo = await DockerRepositoryAsync();
        var image = TestManifest.DockerImage(layers: 1);
        await Api.ImportImageAsync(repo, image, "1.0");
        await RemoveAllAsync(repo);
        await CollectAsync();

        var registry = new RegistryClient(Api.Http);
        await registry.PushImageAsync(repo, image, "1.0");

        using var pulled = await Api.Http.GetAsync($"/v2/{repo}/blobs/{image.Blobs[1].Digest}");
        Assert.That(await pulled.Content.ReadAsByteArrayAsync(), Is.EqualTo(image.Blobs[1].Bytes));
    }

    [Test]
    public async Task ContentFileNoUnitNames_IsSwept_OnceOlderThanTheGracePeriod()
    {
        var bytes = TestBlob.Random(512).Bytes;
        var digest = Docker.Common.Digests.Digest.Compute(bytes).ToString();
        await PutStoredContentAsync(digest, bytes);

        var report = await CollectAsync();

        Assert.That(report["content_files_removed"]!.GetValue<long>(), Is.EqualTo(1));
        Assert.That(await IsStoredAsync(digest), Is.False);
    }

    [Test]
    public async Task OnlyAdministrators_ListOrCollect()
    {
        var login = await CreateUserAsync(("*", "pull,push,delete"));
        var api = ApiAs(login);

        using var list = await api.Http.GetAsync($"{ContentApiClient.Root}/content/orphans/");
        using var collect = await api.Http.DeleteAsync($"{ContentApiClient.Root}/content/orphans/");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(list.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(collect.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        }
    }

    [Test]
    public async Task UnknownType_Is404_AsPulp2AnswersIt_ForEachOrphanCall()
    {
        foreach (var (method, path) in new[]
        {
            (HttpMethod.Get, "/content/orphans/no_such_type/"),
            (HttpMethod.Get, "/content/orphans/no_such_type/0123/"),
            (HttpMethod.Delete, "/content/orphans/no_such_type/"),
        })
        {
            using var response = await Api.Http.SendAsync(new HttpRequestMessage(method, ContentApiClient.Root + path));
            await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.NotFound, "PLP0009", "no_such_type");
        }
    }

    [Test]
    public async Task TheSummary_CountsEveryTypeWithItsHref_AndEachOrphanIsReadableAtItsHref()
    {
        var repo = await DockerRepositoryAsync();
        var image = TestManifest.DockerImage(layers: 1);
        await Api.ImportImageAsync(repo, image, "1.0");
        await RemoveAllAsync(repo);
        var kept = await DockerRepositoryAsync();
        var inUse = TestManifest.DockerImage(layers: 1);
        await Api.ImportImageAsync(kept, inUse, "1.0");

        var summary = (await Api.GetJsonAsync("/content/orphans/")).AsObject();
        var blobs = (await Api.GetJsonAsync("/content/orphans/docker_blob/")).AsArray();
        var orphan = blobs.Single(b => b!["metadata"]!["digest"]!.GetValue<string>() == image.Blobs[0].Digest.ToString())!;
        var href = orphan["_href"]!.GetValue<string>();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(summary.Select(t => t.Key), Is.SupersetOf(new[] { "docker_blob", "docker_manifest", "docker_manifest_list", "docker_tag" }), "every type, those without orphans too");
            Assert.That(summary["docker_blob"]!["count"]!.GetValue<long>(), Is.EqualTo(blobs.Count));
            Assert.That(summary["docker_blob"]!["_href"]!.GetValue<string>(), Is.EqualTo("/pulp/api/v2/content/orphans/docker_blob/"));
            Assert.That(orphan["_id"]!.GetValue<string>(), Is.EqualTo(orphan["unit_id"]!.GetValue<string>()));
            Assert.That(orphan["_content_type_id"]!.GetValue<string>(), Is.EqualTo("docker_blob"));
            Assert.That(href, Is.EqualTo($"/pulp/api/v2/content/orphans/docker_blob/{orphan["_id"]!.GetValue<string>()}/"));
            Assert.That(Digests(blobs), Has.None.EqualTo(inUse.Blobs[0].Digest.ToString()), "a layer a repository holds");
        }

        using (var one = await Api.Http.GetAsync(href))
        {
            var read = await ContentApiClient.ReadAsync(one, HttpStatusCode.OK);
            Assert.That(read.ToJsonString(), Is.EqualTo(orphan.ToJsonString()));
        }

        // A unit a repository holds is no orphan, by whatever id it is asked for.
        var held = (await Api.SearchUnitsAsync(kept)).First(u => u!["unit_type_id"]!.GetValue<string>() == "docker_blob")!["unit_id"]!.GetValue<string>();
        using var notOrphan = await Api.Http.GetAsync($"{ContentApiClient.Root}/content/orphans/docker_blob/{held}/");
        await ContentApiClient.ReadErrorAsync(notOrphan, HttpStatusCode.NotFound, "PLP0009");
    }

    private static IEnumerable<string> Digests(JsonArray units) =>
        units.Select(u => u!["metadata"]!["digest"]?.GetValue<string>()).OfType<string>();

    private async Task<JsonNode> CollectAsync()
    {
        using var response = await Api.Http.DeleteAsync($"{ContentApiClient.Root}/content/orphans/");
        return (await ContentApiClient.ReadAsync(response, HttpStatusCode.Accepted))["result"]!;
    }

    private async Task RemoveAllAsync(string repository)
    {
        using var response = await Api.PostJsonAsync($"/repositories/{repository}/actions/unassociate/", new JsonObject
        {
            ["criteria"] = new JsonObject { ["type_ids"] = new JsonArray("docker_blob", "docker_manifest", "docker_manifest_list", "docker_tag") },
        });
        await ContentApiClient.ReadAsync(response, HttpStatusCode.Accepted);
    }
}
