using System.Net;
using System.Text.Json.Nodes;
using Berth.Plugins;
using Berth.Server.Orphans;
using Berth.Tests.Access;
using Berth.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;

namespace Berth.Tests.Promotion;

/// <summary>Removal with <c>actions/unassociate/</c>: tags go with their manifest; needed content cannot go alone.</summary>
[TestFixture(StorageBackend.Default)]
[TestFixture(StorageBackend.PostgreSql)]
public sealed class RemovalApiTests(StorageBackend backend) : AccessFixture(ServerKind.InProcess, backend)
{
    [Test]
    public async Task RemovingAManifest_RemovesItsTagsHere_ButNotElsewhere()
    {
        var (builds, staging) = (await DockerRepositoryAsync(), await DockerRepositoryAsync());
        var image = TestManifest.OciImage();
        await Api.ImportImageAsync(builds, image, "1.0");
        await Api.ImportImageAsync(staging, image, "1.0");

        var removed = await UnassociateAsync(builds, ByDigest("docker_manifest", image.Digest.ToString()));

        Assert.That(removed.Select(u => u!["unit_type_id"]!.GetValue<string>()), Is.EquivalentTo(new[] { "docker_manifest", "docker_tag" }));
        using (var gone = await Api.Http.GetAsync($"/v2/{builds}/manifests/1.0"))
        {
            Assert.That(gone.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        }

        using var kept = await Api.Http.GetAsync($"/v2/{staging}/manifests/1.0");
        Assert.That(kept.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await Api.SearchUnitsAsync(builds, "docker_blob"), Has.Count.EqualTo(image.Blobs.Count));
    }

    [Test]
    public async Task ABlobAManifestNeeds_CannotGoAlone_ButCanGoWithIt()
    {
        var builds = await DockerRepositoryAsync();
        var image = TestManifest.DockerImage(layers: 1);
        await Api.ImportImageAsync(builds, image, "1.0");
        var layer = image.Blobs[1].Digest.ToString();

        using (var refused = await Api.PostJsonAsync($"/repositories/{builds}/actions/unassociate/", new JsonObject { ["criteria"] = ByDigest("docker_blob", layer) }))
        {
            await ContentApiClient.ReadErrorAsync(refused, HttpStatusCode.BadRequest, "PLP0015", layer, image.Digest.ToString());
        }

        Assert.That(await Api.SearchUnitsAsync(builds), Has.Count.EqualTo(image.Blobs.Count + 2), "a refused removal removed something");

        var both = new JsonObject
        {
            ["type_ids"] = new JsonArray("docker_blob", "docker_manifest"),
            ["filters"] = new JsonObject { ["unit"] = new JsonObject { ["digest"] = new JsonObject { ["$in"] = new JsonArray(layer, image.Digest.ToString()) } } },
        };
        var removed = await UnassociateAsync(builds, both);
        Assert.That(removed, Has.Count.EqualTo(3));
    }

    [Test]
    public async Task AManifestAListNeeds_CannotGoAlone()
    {
        var builds = await DockerRepositoryAsync();
        var amd64 = TestManifest.OciImage();
        var index = TestManifest.OciIndex(amd64);
        await Api.ImportImageAsync(builds, amd64);
        await Api.ImportManifestAsync(builds, index, "multi");

        using var refused = await Api.PostJsonAsync(
            $"/repositories/{builds}/actions/unassociate/", new JsonObject { ["criteria"] = ByDigest("docker_manifest", amd64.Digest.ToString()) });

        await ContentApiClient.ReadErrorAsync(refused, HttpStatusCode.BadRequest, "PLP0015", index.Digest.ToString());
    }

    [Test]
    public async Task RemovingWhatAnImportReliesOn_IsRefused_UntilTheImportEnds()
    {
        var builds = await DockerRepositoryAsync();
        var image = TestManifest.OciImage();
        await Api.ImportImageAsync(builds, image, "1.0");
        var guard = Host.RequireServices().GetRequiredService<ReferenceGuard>();
        JsonObject Criteria() => ByDigest("docker_manifest", image.Digest.ToString());

        // What a tag import holds once it has found its manifest in the repository.
        using (await guard.HoldAsync([ReferenceGuard.MemberKey(builds, "docker_manifest", UnitKey.Of("digest", image.Digest.ToString()))], CancellationToken.None))
        {
            using var refused = await Api.PostJsonAsync($"/repositories/{builds}/actions/unassociate/", new JsonObject { ["criteria"] = Criteria() });
            await ContentApiClient.ReadErrorAsync(refused, HttpStatusCode.Conflict, "BRT0410");
            Assert.That(await Api.SearchUnitsAsync(builds, "docker_manifest", "docker_tag"), Has.Count.EqualTo(2), "a refused removal removed something");
        }

        Assert.That(await UnassociateAsync(builds, Criteria()), Has.Count.EqualTo(2));
        Assert.That(guard.Count, Is.Zero, "a hold or condemnation was left behind");
    }

    [Test]
    public async Task RegistryDeletesOfWhatAPushUnderWayHolds_AreRefused_UntilItEnds()
    {
        var builds = await DockerRepositoryAsync();
        var image = TestManifest.DockerImage(layers: 1);
        await Api.ImportImageAsync(builds, image, "1.0");
        var guard = Host.RequireServices().GetRequiredService<ReferenceGuard>();
        var layer = image.Blobs[1].Digest.ToString();
        string[] held =
        [
            ReferenceGuard.MemberKey(builds, "docker_manifest", UnitKey.Of("digest", image.Digest.ToString())),
            ReferenceGuard.MemberKey(builds, "docker_blob", UnitKey.Of("digest", layer)),
        ];

        // What a push that re-tags the manifest, or a manifest push that needs the layer, holds while it runs.
        using (await guard.HoldAsync(held, CancellationToken.None))
        {
            using var manifest = await Api.Http.DeleteAsync($"/v2/{builds}/manifests/{image.Digest}");
            using var blob = await Api.Http.DeleteAsync($"/v2/{builds}/blobs/{layer}");
            using (Assert.EnterMultipleScope())
            {
                Assert.That(manifest.StatusCode, Is.EqualTo(HttpStatusCode.Conflict), await manifest.Content.ReadAsStringAsync());
                Assert.That(blob.StatusCode, Is.EqualTo(HttpStatusCode.Conflict), await blob.Content.ReadAsStringAsync());
                Assert.That(await manifest.Content.ReadAsStringAsync(), Does.Contain("try again"));
            }
        }

        using (var manifest = await Api.Http.DeleteAsync($"/v2/{builds}/manifests/{image.Digest}"))
        {
            Assert.That(manifest.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        }

        Assert.That(await Api.SearchUnitsAsync(builds, "docker_manifest", "docker_tag"), Is.Empty);
        Assert.That(guard.Count, Is.Zero, "a hold or condemnation was left behind");
    }

    [Test]
    public async Task RemovingATag_LeavesItsManifest()
    {
        var builds = await DockerRepositoryAsync();
        var image = TestManifest.OciImage();
        await Api.ImportImageAsync(builds, image, "1.0");

        await UnassociateAsync(builds, new JsonObject
        {
            ["type_ids"] = new JsonArray("docker_tag"),
            ["filters"] = new JsonObject { ["unit"] = new JsonObject { ["name"] = "1.0" } },
        });

        Assert.That(await Api.SearchUnitsAsync(builds, "docker_tag"), Is.Empty);
        Assert.That(await Api.SearchUnitsAsync(builds, "docker_manifest"), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task WithoutTheDeleteGrant_IsForbidden()
    {
        var builds = await DockerRepositoryAsync();
        await Api.ImportImageAsync(builds, TestManifest.OciImage(), "1.0");
        var pusher = await CreateUserAsync((builds, "pull,push"));

        using var response = await ApiAs(pusher).PostJsonAsync($"/repositories/{builds}/actions/unassociate/", new JsonObject { ["criteria"] = new JsonObject() });

        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.Forbidden, "BRT0403");
        Assert.That(await Api.SearchUnitsAsync(builds), Is.Not.Empty);
    }

    private static JsonObject ByDigest(string type, string digest) => new()
    {
        ["type_ids"] = new JsonArray(type),
        ["filters"] = new JsonObject { ["unit"] = new JsonObject { ["digest"] = digest } },
    };

    private async Task<JsonArray> UnassociateAsync(string repository, JsonObject criteria)
    {
        using var response = await Api.PostJsonAsync($"/repositories/{repository}/actions/unassociate/", new JsonObject { ["criteria"] = criteria });
        return (await ContentApiClient.ReadAsync(response, HttpStatusCode.Accepted))["result"]!["units_successful"]!.AsArray();
    }
}
