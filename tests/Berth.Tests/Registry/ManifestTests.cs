using System.Net;
using System.Text;
using System.Text.Json;
using Berth.Tests.Support;
using Docker.Common;
using Docker.Common.Digests;
using NUnit.Framework;
using static Berth.Tests.Support.RegistryClient;

namespace Berth.Tests.Registry;

[TestFixture(ServerKind.InProcess)]
[TestFixture(ServerKind.Process)]
[TestFixture(ServerKind.Process, StorageBackend.PostgreSql)]
[TestFixture(ServerKind.Replicas, StorageBackend.PostgreSqlS3Streamed)]
public sealed class ManifestTests(ServerKind kind, StorageBackend backend = StorageBackend.Default) : RegistryFixture(kind, backend)
{
    private async Task<HttpResponseMessage> GetAsync(string name, string reference, bool head = false) =>
        await Registry.SendAsync(head ? HttpMethod.Head : HttpMethod.Get, $"/v2/{name}/manifests/{reference}");

    private static IEnumerable<TestCaseData> Kinds()
    {
        yield return new TestCaseData((Func<TestManifest>)(() => TestManifest.DockerImage())).SetName("Push_DockerSchema2");
        yield return new TestCaseData((Func<TestManifest>)(() => TestManifest.OciImage())).SetName("Push_OciImage");
    }

    [TestCaseSource(nameof(Kinds))]
    public async Task PushByTag_ThenPullByTagAndDigest_ServesTheExactBytes(Func<TestManifest> make)
    {
        var name = NewName();
        var image = make();
        foreach (var blob in image.Blobs)
        {
            await Registry.PushBlobAsync(name, blob);
        }

        using (var put = await Registry.PutManifestAsync(name, "v1", image.Bytes, image.MediaType))
        {
            using (Assert.EnterMultipleScope())
            {
                Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.Created), await put.Content.ReadAsStringAsync());
                Assert.That(put.Headers.Location!.ToString(), Is.EqualTo($"/v2/{name}/manifests/{image.Digest}"));
                Assert.That(Header(put, "Docker-Content-Digest"), Is.EqualTo(image.Digest.ToString()));
            }
        }

        foreach (var reference in new[] { "v1", image.Digest.ToString() })
        {
            using var get = await GetAsync(name, reference);
            using var head = await GetAsync(name, reference, head: true);
            using (Assert.EnterMultipleScope())
            {
                Assert.That(get.StatusCode, Is.EqualTo(HttpStatusCode.OK));
                Assert.That(await get.Content.ReadAsByteArrayAsync(), Is.EqualTo(image.Bytes));
                Assert.That(get.Content.Headers.ContentType!.MediaType, Is.EqualTo(image.MediaType));
                Assert.That(Header(get, "Docker-Content-Digest"), Is.EqualTo(image.Digest.ToString()));
                Assert.That(head.StatusCode, Is.EqualTo(HttpStatusCode.OK));
                Assert.That(head.Content.Headers.ContentLength, Is.EqualTo(image.Bytes.Length));
                Assert.That(head.Content.Headers.ContentType!.MediaType, Is.EqualTo(image.MediaType));
                Assert.That(Header(head, "Docker-Content-Digest"), Is.EqualTo(image.Digest.ToString()));
                Assert.That(await head.Content.ReadAsByteArrayAsync(), Is.Empty);
            }
        }
    }

    [Test]
    public async Task PushByDigest_IsPullableByDigestOnly()
    {
        var name = NewName();
        var image = TestManifest.DockerImage();
        await Registry.PushImageAsync(name, image);
        using var get = await GetAsync(name, image.Digest.ToString());
        Assert.That(await get.Content.ReadAsByteArrayAsync(), Is.EqualTo(image.Bytes));
        using var tags = await Registry.Http.GetAsync($"/v2/{name}/tags/list");
        Assert.That(JsonDocument.Parse(await tags.Content.ReadAsStringAsync()).RootElement.GetProperty("tags").GetArrayLength(), Is.Zero);
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task ListsAndIndexes_ArePushedAfterTheirManifests(bool oci)
    {
        var name = NewName();
        var (amd64, arm64) = (TestManifest.DockerImage(architecture: "amd64"), TestManifest.DockerImage(architecture: "arm64"));
        await Registry.PushImageAsync(name, amd64);
        await Registry.PushImageAsync(name, arm64);
        var list = oci ? TestManifest.OciIndex(amd64, arm64) : TestManifest.DockerList(amd64, arm64);
        using (var put = await Registry.PutManifestAsync(name, "multi", list.Bytes, list.MediaType))
        {
            Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.Created), await put.Content.ReadAsStringAsync());
        }

        using var get = await GetAsync(name, "multi");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await get.Content.ReadAsByteArrayAsync(), Is.EqualTo(list.Bytes));
            Assert.That(get.Content.Headers.ContentType!.MediaType, Is.EqualTo(list.MediaType));
        }
    }

    [Test]
    public async Task ListWithAManifestMissing_IsManifestBlobUnknown()
    {
        var name = NewName();
        var present = TestManifest.DockerImage();
        await Registry.PushImageAsync(name, present);
        var list = TestManifest.DockerList(present, TestManifest.DockerImage());
        await ReadErrorAsync(await Registry.PutManifestAsync(name, "x", list.Bytes, list.MediaType), HttpStatusCode.BadRequest, "MANIFEST_BLOB_UNKNOWN");
    }

    [Test]
    public async Task ArtifactWithASubject_AnswersWithOciSubject()
    {
        var name = NewName();
        var image = TestManifest.OciImage();
        await Registry.PushImageAsync(name, image);
        var sbom = TestManifest.OciArtifact(image);
        foreach (var blob in sbom.Blobs)
        {
            await Registry.PushBlobAsync(name, blob);
        }

        using var put = await Registry.PutManifestAsync(name, sbom.Digest.ToString(), sbom.Bytes, sbom.MediaType);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.Created), await put.Content.ReadAsStringAsync());
            Assert.That(Header(put, "OCI-Subject"), Is.EqualTo(image.Digest.ToString()));
        }
    }

    [Test]
    public async Task ManifestWithBlobsMissing_IsManifestBlobUnknown_NamingThem()
    {
        var name = NewName();
        var image = TestManifest.DockerImage();
        await Registry.PushBlobAsync(name, image.Blobs[0]);
        var error = await ReadErrorAsync(await Registry.PutManifestAsync(name, "v1", image.Bytes, image.MediaType), HttpStatusCode.BadRequest, "MANIFEST_BLOB_UNKNOWN");
        Assert.That(error["message"]!.GetValue<string>(), Does.Contain(image.Blobs[1].Digest.ToString()));
        await ReadErrorAsync(await GetAsync(name, "v1"), HttpStatusCode.NotFound, "MANIFEST_UNKNOWN");
    }

    [Test]
    public async Task BlobsOfAnotherRepository_DoNotCount()
    {
        var (name, other) = (NewName(), NewName());
        var image = TestManifest.DockerImage();
        foreach (var blob in image.Blobs)
        {
            await Registry.PushBlobAsync(other, blob);
        }

        await Registry.StartUploadAsync(name);
        await ReadErrorAsync(await Registry.PutManifestAsync(name, "v1", image.Bytes, image.MediaType), HttpStatusCode.BadRequest, "MANIFEST_BLOB_UNKNOWN");
    }

    [TestCase("{not json")]
    [TestCase("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"layers\":[]}")]
    [TestCase("{\"schemaVersion\":1,\"name\":\"x\",\"tag\":\"y\",\"fsLayers\":[]}")]
    public async Task InvalidManifest_IsManifestInvalid(string document) =>
        await ReadErrorAsync(await Registry.PutManifestAsync(NewName(), "v1", Encoding.UTF8.GetBytes(document), MediaTypes.OciManifest), HttpStatusCode.BadRequest, "MANIFEST_INVALID");

    [Test]
    public async Task ManifestSentAsAnotherMediaType_IsManifestInvalid()
    {
        var name = NewName();
        var image = TestManifest.DockerImage();
        foreach (var blob in image.Blobs)
        {
            await Registry.PushBlobAsync(name, blob);
        }

        var error = await ReadErrorAsync(await Registry.PutManifestAsync(name, "v1", image.Bytes, MediaTypes.OciManifest), HttpStatusCode.BadRequest, "MANIFEST_INVALID");
        Assert.That(error["message"]!.GetValue<string>(), Does.Contain(MediaTypes.DockerManifest));
    }

    [Test]
    public async Task PushByADigestThatIsNotOfTheBytes_IsDigestInvalid()
    {
        var name = NewName();
        var image = TestManifest.DockerImage();
        foreach (var blob in image.Blobs)
        {
            await Registry.PushBlobAsync(name, blob);
        }

        var wrong = Digest.Compute(Encoding.UTF8.GetBytes("other"));
        await ReadErrorAsync(await Registry.PutManifestAsync(name, wrong.ToString(), image.Bytes, image.MediaType), HttpStatusCode.BadRequest, "DIGEST_INVALID");
    }

    [Test]
    public async Task ManifestOverFourMebibytes_Is413()
    {
        var body = Encoding.UTF8.GetBytes("{\"schemaVersion\":2" + new string(' ', 4 * 1024 * 1024) + "}");
        await ReadErrorAsync(await Registry.PutManifestAsync(NewName(), "big", body, MediaTypes.OciManifest), HttpStatusCode.RequestEntityTooLarge, "SIZE_INVALID");
    }

    [TestCase(".dot")]
    [TestCase("-dash")]
    [TestCase("a%20b")]
    public async Task InvalidTag_IsTagInvalid(string tag)
    {
        var image = TestManifest.DockerImage();
        await ReadErrorAsync(await Registry.PutManifestAsync(NewName(), tag, image.Bytes, image.MediaType), HttpStatusCode.BadRequest, "TAG_INVALID");
    }

    /// <summary>
    /// The spec: a manifest that is not found MUST be a 404, and one named by a reference that is neither a tag nor
    /// a digest cannot be found (the conformance suite pulls <c>.INVALID_MANIFEST_NAME</c>). Only a push or a delete
    /// refuses the reference itself.
    /// </summary>
    [TestCase(".INVALID_MANIFEST_NAME")]
    [TestCase("-bad")]
    [TestCase("sha256:xyz")]
    [TestCase("sha256:abc")]
    [TestCase("md5:d41d8cd98f00b204e9800998ecf8427e")]
    public async Task GetAndHead_OfAnInvalidReference_AreManifestUnknown(string reference)
    {
        var name = NewName();
        var image = TestManifest.DockerImage();
        await Registry.PushImageAsync(name, image, "v1");

        await ReadErrorAsync(await GetAsync(name, reference), HttpStatusCode.NotFound, "MANIFEST_UNKNOWN");
        using (var head = await GetAsync(name, reference, head: true))
        {
            using (Assert.EnterMultipleScope())
            {
                Assert.That(head.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
                Assert.That(await head.Content.ReadAsByteArrayAsync(), Is.Empty);
            }
        }

        var refusal = reference.Contains(':', StringComparison.Ordinal) ? "DIGEST_INVALID" : "TAG_INVALID";
        await ReadErrorAsync(await Registry.PutManifestAsync(name, reference, image.Bytes, image.MediaType), HttpStatusCode.BadRequest, refusal);
        await ReadErrorAsync(await Registry.Http.DeleteAsync($"/v2/{name}/manifests/{reference}"), HttpStatusCode.BadRequest, refusal);
    }

    [Test]
    public async Task Get_OfAnAbsentTag_IsManifestUnknown()
    {
        var name = NewName();
        await Registry.PushImageAsync(name, TestManifest.DockerImage(), "v1");
        await ReadErrorAsync(await GetAsync(name, "absent"), HttpStatusCode.NotFound, "MANIFEST_UNKNOWN");
    }

    [Test]
    public async Task DeleteOfATag_RemovesOnlyThatTag()
    {
        var name = NewName();
        var image = TestManifest.DockerImage();
        await Registry.PushImageAsync(name, image, "one");
        using (var two = await Registry.PutManifestAsync(name, "two", image.Bytes, image.MediaType))
        {
            Assert.That(two.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        }

        using (var delete = await Registry.Http.DeleteAsync($"/v2/{name}/manifests/one"))
        {
            Assert.That(delete.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        }

        await ReadErrorAsync(await GetAsync(name, "one"), HttpStatusCode.NotFound, "MANIFEST_UNKNOWN");
        using var byTwo = await GetAsync(name, "two");
        using var byDigest = await GetAsync(name, image.Digest.ToString());
        using (Assert.EnterMultipleScope())
        {
            Assert.That(byTwo.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(byDigest.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        await ReadErrorAsync(await Registry.Http.DeleteAsync($"/v2/{name}/manifests/one"), HttpStatusCode.NotFound, "MANIFEST_UNKNOWN");
    }

    [Test]
    public async Task DeleteByDigest_RemovesTheManifestAndItsTags()
    {
        var name = NewName();
        var (doomed, kept) = (TestManifest.DockerImage(), TestManifest.OciImage());
        await Registry.PushImageAsync(name, doomed, "a");
        using (var b = await Registry.PutManifestAsync(name, "b", doomed.Bytes, doomed.MediaType))
        {
            Assert.That(b.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        }

        await Registry.PushImageAsync(name, kept, "c");
        using (var delete = await Registry.Http.DeleteAsync($"/v2/{name}/manifests/{doomed.Digest}"))
        {
            Assert.That(delete.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        }

        await ReadErrorAsync(await GetAsync(name, doomed.Digest.ToString()), HttpStatusCode.NotFound, "MANIFEST_UNKNOWN");
        using var tags = await Registry.Http.GetAsync($"/v2/{name}/tags/list");
        Assert.That(
            JsonDocument.Parse(await tags.Content.ReadAsStringAsync()).RootElement.GetProperty("tags").EnumerateArray().Select(t => t.GetString()),
            Is.EqualTo(new[] { "c" }));
    }

    [Test]
    public async Task ConcurrentPushesOfOneTag_AllSucceed_AndTheTagPointsAtOneOfThem()
    {
        var name = NewName();
        var images = Enumerable.Range(0, 16).Select(_ => TestManifest.DockerImage(layers: 1)).ToList();
        await Task.WhenAll(images.SelectMany(i => i.Blobs).Select(b => Registry.PushBlobAsync(name, b)));
        for (var round = 0; round < 3; round++)
        {
            var pushes = await Task.WhenAll(images.Select(i => Registry.PutManifestAsync(name, "latest", i.Bytes, i.MediaType)));
            Assert.That(pushes.Select(p => p.StatusCode), Is.All.EqualTo(HttpStatusCode.Created));
        }

        using var latest = await GetAsync(name, "latest");
        var digest = Header(latest, "Docker-Content-Digest");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(images.Select(i => i.Digest.ToString()), Does.Contain(digest));
            Assert.That(await Api.SearchUnitsAsync(name.Replace('/', '-'), "docker_tag"), Has.Count.EqualTo(1));
        }
    }

    [Test]
    public async Task AnImageImportedThroughTheContentApi_IsPullable_AndAPushShowsUpThere()
    {
        var repository = NewRepositoryId();
        await Api.CreateDockerRepositoryAsync(repository);
        var image = TestManifest.DockerImage();
        await Api.ImportImageAsync(repository, image, tag: "from-api");
        using (var get = await GetAsync(repository, "from-api"))
        {
            Assert.That(await get.Content.ReadAsByteArrayAsync(), Is.EqualTo(image.Bytes));
        }

        var pushed = TestManifest.OciImage();
        await Registry.PushImageAsync(repository, pushed, "from-registry");
        var tags = await Api.SearchUnitsAsync(repository, "docker_tag");
        Assert.That(
            tags.Select(t => (t!["metadata"]!["name"]!.GetValue<string>(), t["metadata"]!["manifest_digest"]!.GetValue<string>())),
            Is.EquivalentTo(new[] { ("from-api", image.Digest.ToString()), ("from-registry", pushed.Digest.ToString()) }));
    }

    [Test]
    public async Task ARegistryNameSetThroughTheContentApi_ServesTheRepository()
    {
        var repository = NewRepositoryId();
        await Api.CreateDockerRepositoryAsync(repository);
        var image = TestManifest.DockerImage();
        await Api.ImportImageAsync(repository, image, tag: "1");
        using (var update = await Api.Http.PutAsync($"{ContentApiClient.Root}/repositories/{repository}/", new StringContent("""{"delta": {"registry_name": "renamed/by/api"}}""")))
        {
            Assert.That(update.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        using var get = await GetAsync("renamed/by/api", "1");
        Assert.That(await get.Content.ReadAsByteArrayAsync(), Is.EqualTo(image.Bytes));
        await ReadErrorAsync(await GetAsync(repository, "1"), HttpStatusCode.NotFound, "NAME_UNKNOWN");
    }
}
