using System.Net;
using System.Security.Cryptography;
using Berth.Tests.Support;
using Docker.Common.Digests;
using NUnit.Framework;
using static Berth.Tests.Support.RegistryClient;

namespace Berth.Tests.Registry;

[TestFixture(ServerKind.InProcess)]
[TestFixture(ServerKind.Process)]
[TestFixture(ServerKind.Process, StorageBackend.PostgreSql)]
[TestFixture(ServerKind.Replicas, StorageBackend.PostgreSqlS3Streamed)]
public sealed class BlobUploadTests(ServerKind kind, StorageBackend backend = StorageBackend.Default) : RegistryFixture(kind, backend)
{
    private static ByteArrayContent Chunk(byte[] bytes, long start)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.TryAddWithoutValidation("Content-Range", $"{start}-{start + bytes.Length - 1}");
        return content;
    }

    private async Task<byte[]> PullBlobAsync(string name, Digest digest)
    {
        using var response = await Registry.Http.GetAsync($"/v2/{name}/blobs/{digest}");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return await response.Content.ReadAsByteArrayAsync();
    }

    [Test]
    public async Task Start_Answers202WithALocationAndAnEmptyRange()
    {
        var name = NewName();
        using var response = await Registry.Http.PostAsync($"/v2/{name}/blobs/uploads/", null);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
            Assert.That(response.Headers.Location!.ToString(), Does.StartWith($"/v2/{name}/blobs/uploads/"));
            Assert.That(Header(response, "Range"), Is.EqualTo("0-0"));
            Assert.That(Header(response, "Docker-Upload-UUID"), Is.Not.Empty);
        }
    }

    [Test]
    public async Task Monolithic_PostThenPut_StoresTheBlob()
    {
        var name = NewName();
        var blob = TestBlob.Random(100_000);
        var location = await Registry.StartUploadAsync(name);
        using var response = await Registry.Http.PutAsync(WithDigest(location, blob.Digest), new ByteArrayContent(blob.Bytes));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created));
            Assert.That(response.Headers.Location!.ToString(), Is.EqualTo($"/v2/{name}/blobs/{blob.Digest}"));
            Assert.That(Header(response, "Docker-Content-Digest"), Is.EqualTo(blob.Digest.ToString()));
            Assert.That(await PullBlobAsync(name, blob.Digest), Is.EqualTo(blob.Bytes));
        }
    }

    [Test]
    public async Task Monolithic_SinglePostWithDigest_StoresTheBlob()
    {
        var name = NewName();
        var blob = TestBlob.Random(5000);
        using var response = await Registry.Http.PostAsync(WithDigest($"/v2/{name}/blobs/uploads/", blob.Digest), new ByteArrayContent(blob.Bytes));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
            Assert.That(response.Headers.Location!.ToString(), Is.EqualTo($"/v2/{name}/blobs/{blob.Digest}"));
            Assert.That(await PullBlobAsync(name, blob.Digest), Is.EqualTo(blob.Bytes));
        }
    }

    [Test]
    public async Task Monolithic_SinglePostWithAWrongDigest_IsDigestInvalid_AndLeavesNoSession()
    {
        var name = NewName();
        var before = (await Api.GetJsonAsync("/content/uploads/"))["upload_ids"]!.AsArray().Count;
        using var response = await Registry.Http.PostAsync(WithDigest($"/v2/{name}/blobs/uploads/", Digest.Compute([1])), new ByteArrayContent([2]));
        await ReadErrorAsync(response, HttpStatusCode.BadRequest, "DIGEST_INVALID");
        Assert.That((await Api.GetJsonAsync("/content/uploads/"))["upload_ids"]!.AsArray(), Has.Count.EqualTo(before));
    }

    [Test]
    public async Task Chunked_InOrderPatches_ThenPut_StoresTheBlob()
    {
        var name = NewName();
        var blob = TestBlob.Random(3 * 1024 * 1024 + 11);
        var location = await Registry.StartUploadAsync(name);
        for (var start = 0; start < blob.Bytes.Length; start += 1024 * 1024)
        {
            var bytes = blob.Bytes[start..Math.Min(start + 1024 * 1024, blob.Bytes.Length)];
            using var patch = await Registry.SendAsync(HttpMethod.Patch, location, Chunk(bytes, start));
            Assert.That(patch.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await patch.Content.ReadAsStringAsync());
            Assert.That(Header(patch, "Range"), Is.EqualTo($"0-{start + bytes.Length - 1}"));
            location = patch.Headers.Location!.ToString();
        }

        using var put = await Registry.Http.PutAsync(WithDigest(location, blob.Digest), null);
        Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.Created), await put.Content.ReadAsStringAsync());
        Assert.That(await PullBlobAsync(name, blob.Digest), Is.EqualTo(blob.Bytes));
    }

    [Test]
    public async Task Chunked_WithTheLastChunkInThePut_StoresTheBlob()
    {
        var name = NewName();
        var blob = TestBlob.Random(2000);
        var location = await Registry.StartUploadAsync(name);
        using (var patch = await Registry.SendAsync(HttpMethod.Patch, location, Chunk(blob.Bytes[..1000], 0)))
        {
            Assert.That(patch.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        }

        using var put = await Registry.Http.PutAsync(WithDigest(location, blob.Digest), Chunk(blob.Bytes[1000..], 1000));
        Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.Created), await put.Content.ReadAsStringAsync());
        Assert.That(await PullBlobAsync(name, blob.Digest), Is.EqualTo(blob.Bytes));
    }

    [Test]
    public async Task Streamed_PatchWithoutContentRange_AppendsAsDockerDoes()
    {
        var name = NewName();
        var blob = TestBlob.Random(700_000);
        var location = await Registry.StartUploadAsync(name);
        foreach (var part in new[] { blob.Bytes[..300_000], blob.Bytes[300_000..] })
        {
            using var patch = await Registry.SendAsync(HttpMethod.Patch, location, new StreamContent(new MemoryStream(part)));
            Assert.That(patch.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await patch.Content.ReadAsStringAsync());
        }

        using var put = await Registry.Http.PutAsync(WithDigest(location, blob.Digest), null);
        Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.Created), await put.Content.ReadAsStringAsync());
        Assert.That(await PullBlobAsync(name, blob.Digest), Is.EqualTo(blob.Bytes));
    }

    [TestCase(500, 500)]
    [TestCase(0, 1000)]
    [TestCase(2000, 100)]
    public async Task Chunk_OutOfOrderOrRepeated_Is416_WithTheRangeHeld(int start, int length)
    {
        var name = NewName();
        var location = await Registry.StartUploadAsync(name);
        using (var first = await Registry.SendAsync(HttpMethod.Patch, location, Chunk(new byte[1000], 0)))
        {
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        }

        using var wrong = await Registry.SendAsync(HttpMethod.Patch, location, Chunk(new byte[length], start));
        await ReadErrorAsync(wrong, HttpStatusCode.RequestedRangeNotSatisfiable, "BLOB_UPLOAD_INVALID");
        Assert.That(Header(wrong, "Range"), Is.EqualTo("0-999"));
        using var status = await Registry.Http.GetAsync(location);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(status.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(Header(status, "Range"), Is.EqualTo("0-999"));
            Assert.That(status.Headers.Location!.ToString(), Is.EqualTo(location));
        }
    }

    [TestCase("abc")]
    [TestCase("10-5")]
    [TestCase("-5")]
    public async Task Chunk_WithAMalformedContentRange_Is416(string range)
    {
        var location = await Registry.StartUploadAsync(NewName());
        var content = new ByteArrayContent(new byte[6]);
        content.Headers.TryAddWithoutValidation("Content-Range", range);
        await ReadErrorAsync(await Registry.SendAsync(HttpMethod.Patch, location, content), HttpStatusCode.RequestedRangeNotSatisfiable, "BLOB_UPLOAD_INVALID");
    }

    [Test]
    public async Task Chunk_WhoseRangeDisagreesWithItsLength_Is400()
    {
        var location = await Registry.StartUploadAsync(NewName());
        var content = new ByteArrayContent(new byte[10]);
        content.Headers.TryAddWithoutValidation("Content-Range", "0-19");
        await ReadErrorAsync(await Registry.SendAsync(HttpMethod.Patch, location, content), HttpStatusCode.BadRequest, "BLOB_UPLOAD_INVALID");
    }

    [Test]
    public async Task Status_ReportsTheBytesHeld()
    {
        var location = await Registry.StartUploadAsync(NewName());
        using (var patch = await Registry.SendAsync(HttpMethod.Patch, location, Chunk(new byte[4096], 0)))
        {
            Assert.That(patch.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        }

        using var status = await Registry.Http.GetAsync(location);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(status.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(Header(status, "Range"), Is.EqualTo("0-4095"));
            Assert.That(Header(status, "Docker-Upload-UUID"), Is.EqualTo(location.Split('/')[^1]));
        }
    }

    [Test]
    public async Task Cancel_EndsTheSession()
    {
        var name = NewName();
        var location = await Registry.StartUploadAsync(name);
        using (var cancel = await Registry.Http.DeleteAsync(location))
        {
            Assert.That(cancel.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        }

        await ReadErrorAsync(await Registry.Http.GetAsync(location), HttpStatusCode.NotFound, "BLOB_UPLOAD_UNKNOWN");
        await ReadErrorAsync(await Registry.SendAsync(HttpMethod.Patch, location, new ByteArrayContent([1])), HttpStatusCode.NotFound, "BLOB_UPLOAD_UNKNOWN");
    }

    [Test]
    public async Task Cancel_AfterAChunk_EndsTheSession()
    {
        var name = NewName();
        var location = await Registry.StartUploadAsync(name);
        using (var patch = await Registry.SendAsync(HttpMethod.Patch, location, Chunk([1, 2, 3], 0)))
        {
            Assert.That(patch.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
            location = patch.Headers.Location!.ToString();
        }

        using (var cancel = await Registry.Http.DeleteAsync(location))
        {
            Assert.That(cancel.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        }

        await ReadErrorAsync(await Registry.Http.GetAsync(location), HttpStatusCode.NotFound, "BLOB_UPLOAD_UNKNOWN");
        await ReadErrorAsync(await Registry.SendAsync(HttpMethod.Patch, location, Chunk([4], 3)), HttpStatusCode.NotFound, "BLOB_UPLOAD_UNKNOWN");
    }

    [Test]
    public async Task Session_IsUnknownThroughAnotherName()
    {
        var (name, other) = (NewName(), NewName());
        var location = await Registry.StartUploadAsync(name);
        await Registry.StartUploadAsync(other);
        var id = location.Split('/')[^1];
        await ReadErrorAsync(await Registry.Http.GetAsync($"/v2/{other}/blobs/uploads/{id}"), HttpStatusCode.NotFound, "BLOB_UPLOAD_UNKNOWN");
    }

    [TestCase("0123456789abcdef0123456789abcdef")]
    [TestCase("not-a-session")]
    public async Task UnknownSession_IsBlobUploadUnknown(string id)
    {
        var name = NewName();
        await Registry.StartUploadAsync(name);
        await ReadErrorAsync(await Registry.Http.GetAsync($"/v2/{name}/blobs/uploads/{id}"), HttpStatusCode.NotFound, "BLOB_UPLOAD_UNKNOWN");
    }

    [Test]
    public async Task Put_WithAWrongDigest_IsDigestInvalid_AndNothingIsStored()
    {
        var name = NewName();
        var blob = TestBlob.Random(100);
        var wrong = Digest.Compute(RandomNumberGenerator.GetBytes(100));
        var location = await Registry.StartUploadAsync(name);
        await ReadErrorAsync(await Registry.Http.PutAsync(WithDigest(location, wrong), new ByteArrayContent(blob.Bytes)), HttpStatusCode.BadRequest, "DIGEST_INVALID");
        await ReadErrorAsync(await Registry.Http.GetAsync($"/v2/{name}/blobs/{wrong}"), HttpStatusCode.NotFound, "BLOB_UNKNOWN");
        await ReadErrorAsync(await Registry.Http.GetAsync($"/v2/{name}/blobs/{blob.Digest}"), HttpStatusCode.NotFound, "BLOB_UNKNOWN");
    }

    [TestCase("")]
    [TestCase("?digest=sha256:short")]
    [TestCase("?digest=md5:d41d8cd98f00b204e9800998ecf8427e")]
    public async Task Put_WithoutAValidDigest_IsDigestInvalid(string query)
    {
        var location = await Registry.StartUploadAsync(NewName());
        await ReadErrorAsync(await Registry.Http.PutAsync(location + query, new ByteArrayContent([1])), HttpStatusCode.BadRequest, "DIGEST_INVALID");
    }

    [Test]
    public async Task Mount_FromARepositoryHoldingTheBlob_Is201_AndOnlyThenReadable()
    {
        var (source, target) = (NewName(), NewName());
        var blob = TestBlob.Random(1000);
        await Registry.PushBlobAsync(source, blob);
        await Registry.StartUploadAsync(target);
        await ReadErrorAsync(await Registry.Http.GetAsync($"/v2/{target}/blobs/{blob.Digest}"), HttpStatusCode.NotFound, "BLOB_UNKNOWN");

        using var mount = await Registry.Http.PostAsync($"/v2/{target}/blobs/uploads/?mount={blob.Digest}&from={source}", null);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(mount.StatusCode, Is.EqualTo(HttpStatusCode.Created));
            Assert.That(mount.Headers.Location!.ToString(), Is.EqualTo($"/v2/{target}/blobs/{blob.Digest}"));
            Assert.That(Header(mount, "Docker-Content-Digest"), Is.EqualTo(blob.Digest.ToString()));
            Assert.That(await PullBlobAsync(target, blob.Digest), Is.EqualTo(blob.Bytes));
        }
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task Mount_ThatCannotHappen_OpensASessionInstead(bool sourceExists)
    {
        var (source, target) = (NewName(), NewName());
        var blob = TestBlob.Random(10);
        if (sourceExists)
        {
            await Registry.StartUploadAsync(source);
        }

        using var mount = await Registry.Http.PostAsync($"/v2/{target}/blobs/uploads/?mount={blob.Digest}&from={source}", null);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(mount.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
            Assert.That(mount.Headers.Location!.ToString(), Does.StartWith($"/v2/{target}/blobs/uploads/"));
        }
    }

    [Test]
    public async Task PushToANewName_CreatesTheRepositoryWithBothDockerImporters()
    {
        var name = NewName();
        await Registry.PushBlobAsync(name, TestBlob.Random(10));
        var repository = (await Api.GetJsonAsync("/repositories/")).AsArray().Single(r => r!["registry_name"]?.GetValue<string>() == name)!;
        var id = repository["id"]!.GetValue<string>();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(id, Is.EqualTo(name.Replace('/', '-')));
            Assert.That(
                (await Api.GetJsonAsync($"/repositories/{id}/importers/")).AsArray().Select(i => i!["id"]!.GetValue<string>()),
                Is.EquivalentTo(new[] { "docker_blob_importer", "docker_manifest_importer" }));
        }
    }

    [Test]
    public async Task PushToANewName_WhoseIdIsTaken_CreatesTheNextFreeId_AndLeavesTheOtherRepositoryAlone()
    {
        var name = NewName();
        var takenId = name.Replace('/', '-');
        await Api.CreateDockerRepositoryAsync(takenId);
        await Registry.PushBlobAsync(name, TestBlob.Random(10));

        var repositories = (await Api.GetJsonAsync("/repositories/")).AsArray();
        var pushed = repositories.Single(r => r!["registry_name"]?.GetValue<string>() == name)!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(pushed["id"]!.GetValue<string>(), Is.EqualTo(takenId + "-2"));
            Assert.That(repositories.Single(r => r!["id"]!.GetValue<string>() == takenId)!["registry_name"]!.GetValue<string>(), Is.EqualTo(takenId));
            Assert.That(await Api.SearchUnitsAsync(takenId, "docker_blob"), Is.Empty);
        }
    }

    [Test]
    public async Task PushToARepositoryWithoutABlobImporter_IsDenied()
    {
        var name = NewName();
        using (var created = await Api.PostJsonAsync("/repositories/", $$"""{"id": "{{NewRepositoryId()}}", "registry_name": "{{name}}"}"""))
        {
            Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        }

        var blob = TestBlob.Random(10);
        var location = await Registry.StartUploadAsync(name);
        var error = await ReadErrorAsync(await Registry.Http.PutAsync(WithDigest(location, blob.Digest), new ByteArrayContent(blob.Bytes)), HttpStatusCode.Forbidden, "DENIED");
        Assert.That(error["message"]!.GetValue<string>(), Does.Contain("docker_blob_importer"));
    }

    [Test]
    public async Task ABlobPushedThroughTheRegistry_ShowsUpInTheContentApi()
    {
        var name = NewName();
        var blob = TestBlob.Random(64);
        await Registry.PushBlobAsync(name, blob);
        var units = await Api.SearchUnitsAsync(name.Replace('/', '-'), "docker_blob");
        Assert.That(units.Single()!["metadata"]!["digest"]!.GetValue<string>(), Is.EqualTo(blob.Digest.ToString()));
    }

    [Test]
    public async Task ConcurrentPushesOfOneBlob_AllSucceed_WithOneUnit()
    {
        var name = NewName();
        var blob = TestBlob.Random(2 * 1024 * 1024);
        await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Registry.PushBlobAsync(name, blob)));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await Api.SearchUnitsAsync(name.Replace('/', '-'), "docker_blob"), Has.Count.EqualTo(1));
            Assert.That(await PullBlobAsync(name, blob.Digest), Is.EqualTo(blob.Bytes));
        }
    }

    [Test]
    public async Task ConcurrentFirstPushesToANewName_AllLandInOneRepository()
    {
        var name = NewName();
        var blobs = Enumerable.Range(0, 8).Select(_ => TestBlob.Random(1000)).ToList();
        await Task.WhenAll(blobs.Select(b => Registry.PushBlobAsync(name, b)));
        var repositories = (await Api.GetJsonAsync("/repositories/")).AsArray().Where(r => r!["display_name"]!.GetValue<string>() == name).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(repositories, Has.Count.EqualTo(1));
            Assert.That(await Api.SearchUnitsAsync(name.Replace('/', '-'), "docker_blob"), Has.Count.EqualTo(8));
        }
    }
}
