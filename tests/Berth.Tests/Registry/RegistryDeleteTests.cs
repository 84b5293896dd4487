using System.Net;
using Berth.Tests.Support;
using NUnit.Framework;
using static Berth.Tests.Support.RegistryClient;

namespace Berth.Tests.Registry;

/// <summary>Registry deletes keep what stays whole: nothing a manifest or list still needs can go by itself.</summary>
[TestFixture(ServerKind.Process)]
[TestFixture(ServerKind.Process, StorageBackend.PostgreSql)]
[TestFixture(ServerKind.Replicas, StorageBackend.PostgreSqlS3Streamed)]
public sealed class RegistryDeleteTests(ServerKind kind, StorageBackend backend = StorageBackend.Default) : RegistryFixture(kind, backend)
{
    [Test]
    public async Task DeleteOfALayerAManifestNeeds_IsRefused_NamingTheManifest_AndTheImageStaysPullable()
    {
        var name = NewName();
        var image = TestManifest.DockerImage(layers: 2);
        await Registry.PushImageAsync(name, image, "v1");
        var layer = image.Blobs[^1];

        var error = await ReadErrorAsync(await Registry.Http.DeleteAsync($"/v2/{name}/blobs/{layer.Digest}"), HttpStatusCode.Conflict, "DENIED");
        Assert.That(error["detail"]!["needed_by"]!.AsArray().Select(n => n!.GetValue<string>()), Is.EqualTo(new[] { $"docker_manifest {image.Digest}" }));
        Assert.That(error["message"]!.GetValue<string>(), Does.Contain(layer.Digest.ToString()).And.Contain(image.Digest.ToString()));

        using var manifest = await Registry.Http.GetAsync($"/v2/{name}/manifests/v1");
        using var blob = await Registry.Http.GetAsync($"/v2/{name}/blobs/{layer.Digest}");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(manifest.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(blob.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await blob.Content.ReadAsByteArrayAsync(), Is.EqualTo(layer.Bytes));
        }
    }

    [Test]
    public async Task DeleteOfAManifestAListNeeds_IsRefused_NamingTheList()
    {
        var name = NewName();
        var (amd, arm) = (TestManifest.DockerImage(architecture: "amd64"), TestManifest.DockerImage(architecture: "arm64"));
        await Registry.PushImageAsync(name, amd);
        await Registry.PushImageAsync(name, arm);
        var list = TestManifest.DockerList(amd, arm);
        await Registry.PushImageAsync(name, list, "multi");

        var error = await ReadErrorAsync(await Registry.Http.DeleteAsync($"/v2/{name}/manifests/{arm.Digest}"), HttpStatusCode.Conflict, "DENIED");
        Assert.That(error["detail"]!["needed_by"]!.AsArray().Select(n => n!.GetValue<string>()), Is.EqualTo(new[] { $"docker_manifest_list {list.Digest}" }));
        using var child = await Registry.Http.GetAsync($"/v2/{name}/manifests/{arm.Digest}");
        Assert.That(child.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        // The list first, then the child: both go.
        using (var deleteList = await Registry.Http.DeleteAsync($"/v2/{name}/manifests/{list.Digest}"))
        {
            Assert.That(deleteList.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        }

        using var deleteChild = await Registry.Http.DeleteAsync($"/v2/{name}/manifests/{arm.Digest}");
        Assert.That(deleteChild.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
    }

    [Test]
    public async Task TagThenManifestThenConfigAndLayers_InThatOrder_AllGo()
    {
        var name = NewName();
        var image = TestManifest.DockerImage(layers: 2);
        await Registry.PushImageAsync(name, image, "v1");

        var deletes = new[] { $"/v2/{name}/manifests/v1", $"/v2/{name}/manifests/{image.Digest}" }
            .Concat(image.Blobs.Select(b => $"/v2/{name}/blobs/{b.Digest}"));
        foreach (var path in deletes)
        {
            using var delete = await Registry.Http.DeleteAsync(path);
            Assert.That(delete.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), $"DELETE {path}: {await delete.Content.ReadAsStringAsync()}");
        }

        await ReadErrorAsync(await Registry.Http.GetAsync($"/v2/{name}/manifests/{image.Digest}"), HttpStatusCode.NotFound, "MANIFEST_UNKNOWN");
        foreach (var blob in image.Blobs)
        {
            await ReadErrorAsync(await Registry.Http.GetAsync($"/v2/{name}/blobs/{blob.Digest}"), HttpStatusCode.NotFound, "BLOB_UNKNOWN");
        }
    }

    [Test]
    public async Task AReferrer_NeverKeepsItsSubject()
    {
        var name = NewName();
        var subject = TestManifest.OciImage();
        await Registry.PushImageAsync(name, subject, "v1");
        var sbom = TestManifest.OciArtifact(subject);
        await Registry.PushImageAsync(name, sbom);

        using (var delete = await Registry.Http.DeleteAsync($"/v2/{name}/manifests/{subject.Digest}"))
        {
            Assert.That(delete.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await delete.Content.ReadAsStringAsync());
        }

        // The OCI spec lets a referrer outlive its subject: it is still there, and still listed for it.
        using var referrer = await Registry.Http.GetAsync($"/v2/{name}/manifests/{sbom.Digest}");
        using var referrers = await Registry.Http.GetAsync($"/v2/{name}/referrers/{subject.Digest}");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(referrer.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await referrers.Content.ReadAsStringAsync(), Does.Contain(sbom.Digest.ToString()));
        }
    }

    [Test]
    public async Task TheSameRemovalThroughTheContentApi_IsRefusedAlike()
    {
        var name = NewName();
        var image = TestManifest.DockerImage(layers: 1);
        await Registry.PushImageAsync(name, image, "v1");
        var repository = name.Replace('/', '-');
        var body = new System.Text.Json.Nodes.JsonObject
        {
            ["criteria"] = new System.Text.Json.Nodes.JsonObject
            {
                ["type_ids"] = new System.Text.Json.Nodes.JsonArray("docker_blob"),
                ["filters"] = new System.Text.Json.Nodes.JsonObject { ["unit"] = new System.Text.Json.Nodes.JsonObject { ["digest"] = image.Blobs[^1].Digest.ToString() } },
            },
        };
        using var response = await Api.Http.PostAsync(
            $"/pulp/api/v2/repositories/{repository}/actions/unassociate/", new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), text);
            Assert.That(text, Does.Contain("still_needed").And.Contain($"docker_manifest {image.Digest}"));
        }
    }
}
