using System.Net;
using System.Text.Json;
using Berth.Tests.Support;
using Docker.Common;
using Docker.Common.Digests;
using NUnit.Framework;
using static Berth.Tests.Support.RegistryClient;

namespace Berth.Tests.Registry;

/// <summary>Tags lists, the catalog and referrers (content discovery).</summary>
[TestFixture(ServerKind.InProcess)]
[TestFixture(ServerKind.Process)]
public sealed class DiscoveryTests(ServerKind kind) : RegistryFixture(kind)
{
    private static async Task<string[]> ReadListAsync(HttpResponseMessage response, string property)
    {
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return [.. JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty(property).EnumerateArray().Select(e => e.GetString()!)];
    }

    [Test]
    public async Task Tags_AreListedInLexicalOrder_AndPaged()
    {
        var name = NewName();
        var image = TestManifest.DockerImage();
        await Registry.PushImageAsync(name, image, "b");
        foreach (var tag in new[] { "a", "C", "c", "a1", "1.0" })
        {
            using var put = await Registry.PutManifestAsync(name, tag, image.Bytes, image.MediaType);
            Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        }

        using var all = await Registry.Http.GetAsync($"/v2/{name}/tags/list");
        Assert.That(await ReadListAsync(all, "tags"), Is.EqualTo(new[] { "1.0", "C", "a", "a1", "b", "c" }));

        using var first = await Registry.Http.GetAsync($"/v2/{name}/tags/list?n=2");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await ReadListAsync(first, "tags"), Is.EqualTo(new[] { "1.0", "C" }));
            Assert.That(Header(first, "Link"), Is.EqualTo($"</v2/{name}/tags/list?n=2&last=C>; rel=\"next\""));
        }

        using var next = await Registry.Http.GetAsync($"/v2/{name}/tags/list?n=2&last=C");
        using var rest = await Registry.Http.GetAsync($"/v2/{name}/tags/list?n=10&last=a1");
        using var none = await Registry.Http.GetAsync($"/v2/{name}/tags/list?n=0");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await ReadListAsync(next, "tags"), Is.EqualTo(new[] { "a", "a1" }));
            Assert.That(await ReadListAsync(rest, "tags"), Is.EqualTo(new[] { "b", "c" }));
            Assert.That(rest.Headers.Contains("Link"), Is.False);
            Assert.That(await ReadListAsync(none, "tags"), Is.Empty);
        }

        await ReadErrorAsync(await Registry.Http.GetAsync($"/v2/{name}/tags/list?n=-1"), HttpStatusCode.BadRequest, "PAGINATION_NUMBER_INVALID");
    }

    [Test]
    public async Task Catalog_ListsRegistryNamesInOrder_AndPages()
    {
        var prefix = "catalog/" + NewRepositoryId();
        foreach (var suffix in new[] { "c", "a", "b" })
        {
            await Registry.StartUploadAsync($"{prefix}/{suffix}");
        }

        using var all = await Registry.Http.GetAsync("/v2/_catalog");
        var names = await ReadListAsync(all, "repositories");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(names, Is.Ordered.Using((IComparer<string>)StringComparer.Ordinal));
            Assert.That(names, Is.SupersetOf(new[] { $"{prefix}/a", $"{prefix}/b", $"{prefix}/c" }));
        }

        using var page = await Registry.Http.GetAsync($"/v2/_catalog?n=1&last={prefix}/a");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await ReadListAsync(page, "repositories"), Is.EqualTo(new[] { $"{prefix}/b" }));
            Assert.That(Header(page, "Link"), Is.EqualTo($"</v2/_catalog?n=1&last={Uri.EscapeDataString($"{prefix}/b")}>; rel=\"next\""));
        }
    }

    [Test]
    public async Task Referrers_ListTheManifestsWhoseSubjectItIs_WithTheirArtifactTypes()
    {
        var name = NewName();
        var image = TestManifest.OciImage();
        await Registry.PushImageAsync(name, image, "v1");
        var sbom = TestManifest.OciArtifact(image, "application/vnd.example.sbom.v1+json");
        var signature = TestManifest.OciArtifact(image, "application/vnd.example.signature.v1+json");
        var unrelated = TestManifest.OciArtifact(TestManifest.OciImage(), "application/vnd.example.sbom.v1+json");
        foreach (var artifact in new[] { sbom, signature, unrelated })
        {
            await Registry.PushImageAsync(name, artifact);
        }

        using var response = await Registry.Http.GetAsync($"/v2/{name}/referrers/{image.Digest}");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo(MediaTypes.OciIndex));
        var index = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var manifests = index.GetProperty("manifests").EnumerateArray().ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(index.GetProperty("schemaVersion").GetInt32(), Is.EqualTo(2));
            Assert.That(index.GetProperty("mediaType").GetString(), Is.EqualTo(MediaTypes.OciIndex));
            Assert.That(manifests.Select(m => m.GetProperty("digest").GetString()), Is.EquivalentTo(new[] { sbom.Digest.ToString(), signature.Digest.ToString() }));
            var first = manifests.Single(m => m.GetProperty("digest").GetString() == sbom.Digest.ToString());
            Assert.That(first.GetProperty("artifactType").GetString(), Is.EqualTo("application/vnd.example.sbom.v1+json"));
            Assert.That(first.GetProperty("size").GetInt64(), Is.EqualTo(sbom.Bytes.Length));
            Assert.That(first.GetProperty("mediaType").GetString(), Is.EqualTo(MediaTypes.OciManifest));
            Assert.That(first.GetProperty("annotations").GetProperty("org.example.kind").GetString(), Is.EqualTo("sbom"));
            Assert.That(response.Headers.Contains("OCI-Filters-Applied"), Is.False);
        }

        using var filtered = await Registry.Http.GetAsync($"/v2/{name}/referrers/{image.Digest}?artifactType=application/vnd.example.signature.v1%2Bjson");
        var only = JsonDocument.Parse(await filtered.Content.ReadAsStringAsync()).RootElement.GetProperty("manifests").EnumerateArray().Select(m => m.GetProperty("digest").GetString());
        using (Assert.EnterMultipleScope())
        {
            Assert.That(only, Is.EqualTo(new[] { signature.Digest.ToString() }));
            Assert.That(Header(filtered, "OCI-Filters-Applied"), Is.EqualTo("artifactType"));
        }
    }

    [Test]
    public async Task Referrers_OfAManifestWithoutArtifactType_UseItsConfigMediaType()
    {
        var name = NewName();
        var image = TestManifest.OciImage();
        await Registry.PushImageAsync(name, image);
        var child = TestManifest.OciImage();
        var withSubject = System.Text.Json.Nodes.JsonNode.Parse(child.Bytes)!.AsObject();
        withSubject["subject"] = System.Text.Json.Nodes.JsonNode.Parse(JsonSerializer.Serialize(image.Descriptor(), Docker.Common.Manifests.DockerJsonContext.Default.Descriptor));
        var bytes = System.Text.Encoding.UTF8.GetBytes(withSubject.ToJsonString());
        foreach (var blob in child.Blobs)
        {
            await Registry.PushBlobAsync(name, blob);
        }

        using (var put = await Registry.PutManifestAsync(name, Digest.Compute(bytes).ToString(), bytes, MediaTypes.OciManifest))
        {
            Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.Created), await put.Content.ReadAsStringAsync());
        }

        using var response = await Registry.Http.GetAsync($"/v2/{name}/referrers/{image.Digest}");
        var referrer = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("manifests")[0];
        Assert.That(referrer.GetProperty("artifactType").GetString(), Is.EqualTo(MediaTypes.OciImageConfig));
    }

    [Test]
    public async Task Referrers_OfAnUnknownSubject_AreAnEmptyIndex()
    {
        var name = NewName();
        await Registry.StartUploadAsync(name);
        using var response = await Registry.Http.GetAsync($"/v2/{name}/referrers/{Digest.Compute([9])}");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await ReadListAsync(response, "manifests"), Is.Empty);
        }
    }

    [Test]
    public async Task Referrers_OfAnInvalidDigest_AreDigestInvalid() =>
        await ReadErrorAsync(await Registry.Http.GetAsync($"/v2/{NewName()}/referrers/latest"), HttpStatusCode.BadRequest, "DIGEST_INVALID");
}
