using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Server.Orphans;
using Berth.Tests.Access;
using Berth.Tests.Support;
using Docker.Common;
using Docker.Common.Manifests;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;

namespace Berth.Tests.Retention;

/// <summary>
/// Retention policies through the content API: what goes, what stays because something kept needs it, and a dry
/// run that lists exactly what the real run then removes.
/// </summary>
[TestFixture(StorageBackend.Default)]
[TestFixture(StorageBackend.PostgreSql)]
public sealed class RetentionApiTests(StorageBackend backend) : AccessFixture(ServerKind.InProcess, backend)
{
    // Tags are kept by when they last moved, and untagged manifests go by age: the server's clock orders them.
    protected override IReadOnlyDictionary<string, string>? Settings => new Dictionary<string, string>([ServerClock.Manual]);

    [Test]
    public async Task KeepNewestTags_RemovesTheOthersWithTheirImages_ButNotWhatKeptImagesShare()
    {
        var repo = await DockerRepositoryAsync();
        var shared = TestBlob.Random(2048);
        var images = new List<TestManifest>();
        for (var i = 1; i <= 5; i++)
        {
            images.Add(ImageWith(shared));
            await Api.ImportImageAsync(repo, images[^1], $"v{i}");
            await Host.AdvanceClockAsync(TimeSpan.FromSeconds(1));
        }

        await Api.ImportManifestAsync(repo, images[0], "stable");
        await SetPolicyAsync(repo, new JsonObject { ["tags"] = new JsonArray(new JsonObject { ["pattern"] = "v*", ["keep"] = 2 }) });

        var dryRun = await ApplyAsync(repo, dryRun: true);
        var removed = await ApplyAsync(repo, dryRun: false);

        Assert.That(Ids(removed), Is.EquivalentTo(Ids(dryRun)), "the dry run listed something else than the run removed");
        var remaining = await Api.SearchUnitsAsync(repo);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Names(remaining, "docker_tag"), Is.EquivalentTo(new[] { "v4", "v5", "stable" }));

            // v1 stays: "stable" points at it, and no rule matches "stable".
            Assert.That(Digests(remaining, "docker_manifest"), Is.EquivalentTo(new[] { images[0], images[3], images[4] }.Select(m => m.Digest.ToString())));
            Assert.That(Digests(remaining, "docker_blob"), Does.Contain(shared.Digest.ToString()));
            Assert.That(Digests(remaining, "docker_blob"), Does.Not.Contain(images[1].Blobs[2].Digest.ToString()));
            Assert.That(Names(removed, "docker_tag"), Is.EquivalentTo(new[] { "v1", "v2", "v3" }));
            Assert.That(Digests(removed, "docker_blob"), Is.EquivalentTo(images[1..3].SelectMany(m => m.Blobs).Where(b => b != shared).Select(b => b.Digest.ToString())));
        }

        Assert.That(await ApplyAsync(repo, dryRun: true), Is.Empty, "a second run would remove more");
        var history = (await Api.GetJsonAsync($"/repositories/{repo}/tags/v1/history/")).AsArray();
        Assert.That(history[0]!["new_digest"], Is.Null, history.ToJsonString());
    }

    [Test]
    public async Task UntaggedOlderThan_RemovesUntaggedManifests_ExceptWhatKeptOnesNeed()
    {
        var repo = await DockerRepositoryAsync();
        var (amd64, arm64) = (TestManifest.OciImage(), TestManifest.OciImage());
        var index = TestManifest.OciIndex(amd64, arm64);
        var untagged = TestManifest.OciImage();
        var tagged = TestManifest.OciImage();
        var signatureOfTagged = TestManifest.OciArtifact(tagged, "application/vnd.example.signature");
        var sbomOfUntagged = TestManifest.OciArtifact(untagged);
        foreach (var image in new[] { amd64, arm64, untagged, tagged, signatureOfTagged, sbomOfUntagged })
        {
            await Api.ImportImageAsync(repo, image);
        }

        await Api.ImportManifestAsync(repo, index, "multi");
        await Api.ImportManifestAsync(repo, tagged, "1.0");
        var loneBlob = TestBlob.Random(100);
        await Api.ImportBlobAsync(repo, loneBlob);
        await SetPolicyAsync(repo, new JsonObject { ["untagged_older_than_seconds"] = 0 });
        await Host.AdvanceClockAsync(TimeSpan.FromSeconds(1));

        var dryRun = await ApplyAsync(repo, dryRun: true);
        var removed = await ApplyAsync(repo, dryRun: false);

        Assert.That(Ids(removed), Is.EquivalentTo(Ids(dryRun)));
        var remaining = await Api.SearchUnitsAsync(repo);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(
                Digests(remaining, "docker_manifest").Concat(Digests(remaining, "docker_manifest_list")),
                Is.EquivalentTo(new[] { index, amd64, arm64, tagged, signatureOfTagged }.Select(m => m.Digest.ToString())),
                "kept: the tagged list and its images, the tagged image and its signature");
            Assert.That(Digests(removed, "docker_manifest"), Is.EquivalentTo(new[] { untagged, sbomOfUntagged }.Select(m => m.Digest.ToString())));
            Assert.That(Digests(remaining, "docker_blob"), Does.Contain(loneBlob.Digest.ToString()), "a blob no manifest needs (a push under way) must stay");
            Assert.That(Digests(remaining, "docker_blob"), Does.Not.Contain(untagged.Blobs[1].Digest.ToString()));
        }
    }

    [Test]
    public async Task ApplyingWhileAnImportReliesOnWhatWouldGo_IsRefused_AndRemovesNothing()
    {
        var repo = await DockerRepositoryAsync();
        var (old, fresh) = (TestManifest.OciImage(), TestManifest.OciImage());
        await Api.ImportImageAsync(repo, old, "v1");
        await Host.AdvanceClockAsync(TimeSpan.FromSeconds(1));
        await Api.ImportImageAsync(repo, fresh, "v2");
        await SetPolicyAsync(repo, new JsonObject { ["tags"] = new JsonArray(new JsonObject { ["pattern"] = "v*", ["keep"] = 1 }) });
        var guard = Host.RequireServices().GetRequiredService<ReferenceGuard>();

        // What a push of a manifest list holds once it has found the old image in the repository.
        using (await guard.HoldAsync([ReferenceGuard.MemberKey(repo, "docker_manifest", Berth.Plugins.UnitKey.Of("digest", old.Digest.ToString()))], CancellationToken.None))
        {
            using var refused = await Api.PostJsonAsync($"/repositories/{repo}/actions/apply_retention/", new JsonObject());
            await ContentApiClient.ReadErrorAsync(refused, HttpStatusCode.Conflict, "BRT0410");
        }

        Assert.That(Names(await Api.SearchUnitsAsync(repo), "docker_tag"), Is.EquivalentTo(new[] { "v1", "v2" }));
        Assert.That(Names(await ApplyAsync(repo, dryRun: false), "docker_tag"), Is.EqualTo(new[] { "v1" }));
    }

    [Test]
    public async Task Policy_IsStored_Shown_AndDeleted()
    {
        var repo = await DockerRepositoryAsync();
        using (var none = await Api.Http.GetAsync($"{ContentApiClient.Root}/repositories/{repo}/retention/"))
        {
            await ContentApiClient.ReadErrorAsync(none, HttpStatusCode.NotFound);
        }

        var policy = new JsonObject
        {
            ["tags"] = new JsonArray(new JsonObject { ["pattern"] = "nightly-*", ["keep"] = 7 }, new JsonObject { ["pattern"] = "*", ["keep"] = 100 }),
            ["untagged_older_than_seconds"] = 86400,
        };
        await SetPolicyAsync(repo, policy);

        Assert.That(JsonNode.DeepEquals(await Api.GetJsonAsync($"/repositories/{repo}/retention/"), policy), Is.True);
        using (var deleted = await Api.Http.DeleteAsync($"{ContentApiClient.Root}/repositories/{repo}/retention/"))
        {
            Assert.That(deleted.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        }

        using var applied = await Api.PostJsonAsync($"/repositories/{repo}/actions/apply_retention/", new JsonObject());
        await ContentApiClient.ReadErrorAsync(applied, HttpStatusCode.NotFound);
    }

    [TestCase("""{"tags":[{"pattern":"v*"}]}""", "keep")]
    [TestCase("""{"tags":[{"pattern":"../x","keep":1}]}""", "pattern")]
    [TestCase("""{"tags":[{"pattern":"v*","keep":-1}]}""", "keep")]
    [TestCase("""{"tags":{"pattern":"v*"}}""", "tags")]
    [TestCase("""{"untagged_older_than_seconds":"1d"}""", "untagged_older_than_seconds")]
    [TestCase("""{"keep_everything":true}""", "keep_everything")]
    public async Task BadPolicy_IsRefused(string body, string mention)
    {
        var repo = await DockerRepositoryAsync();

        using var response = await Api.Http.PutAsync(
            $"{ContentApiClient.Root}/repositories/{repo}/retention/", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.BadRequest, null, mention);
    }

    [Test]
    public async Task SettingAPolicy_NeedsAdmin_ApplyingItNeedsDelete()
    {
        var repo = await DockerRepositoryAsync();
        await SetPolicyAsync(repo, new JsonObject { ["untagged_older_than_seconds"] = 3600 });
        var pusher = ApiAs(await CreateUserAsync((repo, "pull,push")));

        using var set = await pusher.Http.PutAsync(
            $"{ContentApiClient.Root}/repositories/{repo}/retention/", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        using var apply = await pusher.PostJsonAsync($"/repositories/{repo}/actions/apply_retention/", new JsonObject { ["dry_run"] = true });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(set.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(apply.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        }
    }

    private static TestManifest ImageWith(TestBlob shared)
    {
        var config = TestBlob.Config();
        var own = TestBlob.Random(1024);
        var manifest = new ImageManifest
        {
            MediaType = MediaTypes.DockerManifest,
            Config = config.Descriptor,
            Layers = [shared.Descriptor, own.Descriptor],
        };
        return new TestManifest(JsonSerializer.SerializeToUtf8Bytes(manifest, DockerJsonContext.Default.ImageManifest), MediaTypes.DockerManifest, [config, shared, own]);
    }

    private static IEnumerable<string> Ids(JsonArray units) => units.Select(u => u!["unit_id"]!.GetValue<string>());

    private static IEnumerable<string> Names(JsonArray units, string type) =>
        units.Where(u => u!["unit_type_id"]!.GetValue<string>() == type).Select(u => u!["metadata"]!["name"]!.GetValue<string>());

    private static IEnumerable<string> Digests(JsonArray units, string type) =>
        units.Where(u => u!["unit_type_id"]!.GetValue<string>() == type).Select(u => u!["metadata"]!["digest"]!.GetValue<string>());

    private async Task SetPolicyAsync(string repo, JsonObject policy)
    {
        using var response = await Api.Http.PutAsync(
            $"{ContentApiClient.Root}/repositories/{repo}/retention/", new StringContent(policy.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
        await ContentApiClient.ReadAsync(response, HttpStatusCode.OK);
    }

    private async Task<JsonArray> ApplyAsync(string repo, bool dryRun)
    {
        using var response = await Api.PostJsonAsync($"/repositories/{repo}/actions/apply_retention/", new JsonObject { ["dry_run"] = dryRun });
        var result = (await ContentApiClient.ReadAsync(response, HttpStatusCode.OK))["result"]!;
        Assert.That(result["dry_run"]!.GetValue<bool>(), Is.EqualTo(dryRun));
        return result["units_removed"]!.AsArray();
    }
}
