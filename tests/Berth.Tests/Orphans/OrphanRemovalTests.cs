using System.Net;
using System.Text.Json.Nodes;
using Berth.Tests.Access;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Orphans;

/// <summary>
/// Orphans named one by one, as Pulp 2 removes them (<c>DELETE /content/orphans/{type}/{id}/</c> and its older
/// <c>POST /content/actions/delete_orphans/</c>): they go at once, though the grace period keeps them from a collection,
/// with the content only they named; a unit a repository holds is no orphan and stays.
/// </summary>
public sealed class OrphanRemovalTests : AccessFixture
{
    private const string Orphans = ContentApiClient.Root + "/content/orphans/";
    private const string DeleteOrphans = ContentApiClient.Root + "/content/actions/delete_orphans/";

    [Test]
    public async Task NamedOrphans_GoWhateverTheirAge_WithTheirContent_AndNothingElse()
    {
        var (removedFrom, kept) = (await DockerRepositoryAsync(), await DockerRepositoryAsync());
        var image = TestManifest.DockerImage(layers: 3, layerSize: 4096);
        var other = TestManifest.DockerImage(layers: 1);
        await Api.ImportImageAsync(removedFrom, image, "1.0");
        await Api.ImportImageAsync(kept, other, "1.0");
        await Api.UnassociateAllAsync(removedFrom);
        var blobs = await OrphanIdsAsync("docker_blob");
        var manifest = (await OrphanIdsAsync("docker_manifest"))[image.Digest.ToString()];
        var layers = image.Blobs.Where(b => b.Bytes.Length == 4096).Select(b => b.Digest.ToString()).ToList();
        var held = (await Api.SearchUnitsAsync(kept)).First(u => u!["unit_type_id"]!.GetValue<string>() == "docker_blob")!["unit_id"]!.GetValue<string>();

        // One by its href.
        using (var one = await Api.Http.DeleteAsync($"{Orphans}docker_blob/{blobs[layers[0]]}/"))
        {
            var report = (await ContentApiClient.ReadAsync(one, HttpStatusCode.Accepted))["result"]!;
            using (Assert.EnterMultipleScope())
            {
                Assert.That(report["units_removed"]!.ToJsonString(), Is.EqualTo("""{"docker_blob":1}"""));
                Assert.That(report["content_files_removed"]!.GetValue<long>(), Is.EqualTo(1));
                Assert.That(report["bytes_freed"]!.GetValue<long>(), Is.EqualTo(4096));
                Assert.That(await IsStoredAsync(layers[0]), Is.False, "its content went with it");
                Assert.That(await IsStoredAsync(layers[1]), Is.True, "a collection would have left all of them for the grace period");
            }
        }

        // Several by the older action: those that are orphans go; a held unit and an id of nothing are passed over.
        var named = new JsonArray(
            Name("docker_blob", blobs[layers[1]]),
            Name("docker_manifest", manifest),
            Name("docker_blob", held),
            Name("docker_blob", "no-such-unit"));
        using (var several = await Api.Http.PostAsync(DeleteOrphans, Json(named)))
        {
            var report = (await ContentApiClient.ReadAsync(several, HttpStatusCode.Accepted))["result"]!;
            using (Assert.EnterMultipleScope())
            {
                Assert.That(report["units_removed"]!["docker_blob"]!.GetValue<long>(), Is.EqualTo(1));
                Assert.That(report["units_removed"]!["docker_manifest"]!.GetValue<long>(), Is.EqualTo(1));
                Assert.That(report["units_removed_total"]!.GetValue<long>(), Is.EqualTo(2));
                Assert.That(await IsStoredAsync(layers[1]), Is.False);
                Assert.That(await IsStoredAsync(image.Digest.ToString()), Is.False);
                Assert.That(await IsStoredAsync(layers[2]), Is.True, "an orphan not named stays");
            }
        }

        var left = await OrphanIdsAsync("docker_blob");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(left.Keys, Does.Contain(layers[2]).And.Not.Contain(layers[0]).And.Not.Contain(layers[1]));
            Assert.That(await Api.SearchUnitsAsync(kept), Has.Some.Matches<JsonNode?>(u => u!["unit_id"]!.GetValue<string>() == held), "what a repository holds stays");
        }

        // Gone, or held: not an orphan there is to remove.
        foreach (var id in new[] { blobs[layers[0]], held })
        {
            using var missing = await Api.Http.DeleteAsync($"{Orphans}docker_blob/{id}/");
            await ContentApiClient.ReadErrorAsync(missing, HttpStatusCode.NotFound, "PLP0009");
        }
    }

    [Test]
    public async Task BadLists_AreRefused_NamingWhatIsWrong_AndRemoveNothing()
    {
        var repository = await DockerRepositoryAsync();
        var image = TestManifest.DockerImage(layers: 1);
        await Api.ImportImageAsync(repository, image, "1.0");
        await Api.UnassociateAllAsync(repository);
        var blob = (await OrphanIdsAsync("docker_blob"))[image.Blobs[0].Digest.ToString()];
        var good = Name("docker_blob", blob);

        foreach (var (body, expected) in new (string, string)[]
        {
            ("""{"content_type_id": "docker_blob", "unit_id": "x"}""", "JSON array"),
            ("", "JSON array"),
            ($$"""[{{good.ToJsonString()}}, {"content_type_id": "docker_blob"}]""", "unit_id"),
            ($$"""[{{good.ToJsonString()}}, {"content_type_id": "no_such_type", "unit_id": "x"}]""", "no_such_type"),
            ($$"""[{{good.ToJsonString()}}, {"content_type_id": "docker_blob", "unit_id": "x", "extra": 1}]""", "extra"),
            ($$"""[{{good.ToJsonString()}}, "docker_blob"]""", "orphan 1"),
        })
        {
            using var refused = await Api.Http.PostAsync(DeleteOrphans, new StringContent(body));
            await ContentApiClient.ReadErrorAsync(refused, HttpStatusCode.BadRequest, null, expected);
        }

        var admin = await CreateUserAsync(("*", "pull,push,delete"));
        using (var forbidden = await ApiAs(admin).Http.PostAsync(DeleteOrphans, Json(new JsonArray(Name("docker_blob", blob)))))
        {
            Assert.That(forbidden.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "only administrators remove orphans");
        }

        using (var forbidden = await ApiAs(admin).Http.DeleteAsync($"{Orphans}docker_blob/{blob}/"))
        {
            Assert.That(forbidden.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        }

        Assert.That(await IsStoredAsync(image.Blobs[0].Digest.ToString()), Is.True, "nothing was removed");
        using var empty = await Api.Http.PostAsync(DeleteOrphans, Json([]));
        Assert.That((await ContentApiClient.ReadAsync(empty, HttpStatusCode.Accepted))["result"]!["units_removed_total"]!.GetValue<long>(), Is.Zero);
    }

    private static JsonObject Name(string type, string id) => new() { ["content_type_id"] = type, ["unit_id"] = id };

    private static StringContent Json(JsonArray body) => new(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json");

    /// <summary>The orphans of a type by digest, to their unit ids.</summary>
    private async Task<Dictionary<string, string>> OrphanIdsAsync(string type) =>
        (await Api.GetJsonAsync($"/content/orphans/{type}/")).AsArray()
            .ToDictionary(o => o!["metadata"]!["digest"]!.GetValue<string>(), o => o!["_id"]!.GetValue<string>());
}
