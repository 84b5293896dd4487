using System.Net;
using System.Net.Http.Headers;
using Berth.Tests.Support;
using Docker.Common.Digests;
using NUnit.Framework;
using static Berth.Tests.Support.RegistryClient;

namespace Berth.Tests.Registry;

[TestFixture(ServerKind.InProcess)]
[TestFixture(ServerKind.Process)]
public sealed class BlobTests(ServerKind kind) : RegistryFixture(kind)
{
    private string _name = null!;
    private TestBlob _blob = null!;

    [OneTimeSetUp]
    public async Task PushABlob()
    {
        _name = NewName();
        _blob = TestBlob.Random(100_000);
        await Registry.PushBlobAsync(_name, _blob);
    }

    [Test]
    public async Task Get_ServesTheBytesWithTheirDigest()
    {
        using var response = await Registry.Http.GetAsync($"/v2/{_name}/blobs/{_blob.Digest}");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(_blob.Bytes));
            Assert.That(Header(response, "Docker-Content-Digest"), Is.EqualTo(_blob.Digest.ToString()));
            Assert.That(response.Content.Headers.ContentLength, Is.EqualTo(100_000));
            Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("application/octet-stream"));
        }
    }

    [Test]
    public async Task Head_GivesTheSizeAndDigest_WithoutABody()
    {
        using var response = await Registry.SendAsync(HttpMethod.Head, $"/v2/{_name}/blobs/{_blob.Digest}");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.Content.Headers.ContentLength, Is.EqualTo(100_000));
            Assert.That(Header(response, "Docker-Content-Digest"), Is.EqualTo(_blob.Digest.ToString()));
            Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.Empty);
        }
    }

    [TestCase(0, 99)]
    [TestCase(1000, 50_999)]
    [TestCase(99_990, 99_999)]
    public async Task Get_WithARange_Is206WithThoseBytes(int from, int to)
    {
        using var response = await Registry.SendAsync(HttpMethod.Get, $"/v2/{_name}/blobs/{_blob.Digest}", configure: r => r.Headers.Range = new RangeHeaderValue(from, to));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.PartialContent));
            Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(_blob.Bytes[from..(to + 1)]));
            Assert.That(response.Content.Headers.ContentRange!.ToString(), Is.EqualTo($"bytes {from}-{to}/100000"));
        }
    }

    [Test]
    public async Task Get_WithASuffixRange_ServesTheEnd()
    {
        using var response = await Registry.SendAsync(HttpMethod.Get, $"/v2/{_name}/blobs/{_blob.Digest}", configure: r => r.Headers.Range = new RangeHeaderValue(null, 10));
        Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(_blob.Bytes[^10..]));
    }

    [Test]
    public async Task Get_WithAnUnsatisfiableRange_Is416()
    {
        using var response = await Registry.SendAsync(HttpMethod.Get, $"/v2/{_name}/blobs/{_blob.Digest}", configure: r => r.Headers.Range = new RangeHeaderValue(200_000, 300_000));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.RequestedRangeNotSatisfiable));
            Assert.That(response.Content.Headers.ContentRange!.ToString(), Is.EqualTo("bytes */100000"));
        }
    }

    [Test]
    public async Task Get_WithTheDigestAsIfNoneMatch_Is304()
    {
        using var response = await Registry.SendAsync(
            HttpMethod.Get, $"/v2/{_name}/blobs/{_blob.Digest}", configure: r => r.Headers.TryAddWithoutValidation("If-None-Match", $"\"{_blob.Digest}\""));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotModified));
    }

    [Test]
    public async Task ABlobOfAnotherRepository_IsUnknownHere()
    {
        var other = NewName();
        await Registry.PushBlobAsync(other, TestBlob.Random(5));
        await ReadErrorAsync(await Registry.Http.GetAsync($"/v2/{other}/blobs/{_blob.Digest}"), HttpStatusCode.NotFound, "BLOB_UNKNOWN");
        using var head = await Registry.SendAsync(HttpMethod.Head, $"/v2/{other}/blobs/{_blob.Digest}");
        Assert.That(head.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [TestCase("sha256:nothex")]
    [TestCase("latest")]
    public async Task Get_WithAnInvalidDigest_IsDigestInvalid(string digest) =>
        await ReadErrorAsync(await Registry.Http.GetAsync($"/v2/{_name}/blobs/{digest}"), HttpStatusCode.BadRequest, "DIGEST_INVALID");

    [Test]
    public async Task Delete_RemovesTheBlobFromThisRepositoryOnly()
    {
        var (name, other) = (NewName(), NewName());
        var blob = TestBlob.Random(300);
        await Registry.PushBlobAsync(name, blob);
        await Registry.PushBlobAsync(other, blob);
        using (var delete = await Registry.Http.DeleteAsync($"/v2/{name}/blobs/{blob.Digest}"))
        {
            Assert.That(delete.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        }

        await ReadErrorAsync(await Registry.Http.GetAsync($"/v2/{name}/blobs/{blob.Digest}"), HttpStatusCode.NotFound, "BLOB_UNKNOWN");
        await ReadErrorAsync(await Registry.Http.DeleteAsync($"/v2/{name}/blobs/{blob.Digest}"), HttpStatusCode.NotFound, "BLOB_UNKNOWN");
        using var stillThere = await Registry.Http.GetAsync($"/v2/{other}/blobs/{blob.Digest}");
        Assert.That(await stillThere.Content.ReadAsByteArrayAsync(), Is.EqualTo(blob.Bytes));
    }

    [Test]
    public async Task ABlobUploadedThroughTheContentApi_CanBePulled()
    {
        var repository = NewRepositoryId();
        await Api.CreateDockerRepositoryAsync(repository);
        var blob = TestBlob.Random(4096);
        await Api.ImportBlobAsync(repository, blob);
        using var response = await Registry.Http.GetAsync($"/v2/{repository}/blobs/{blob.Digest}");
        Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(blob.Bytes));
    }

    [Test]
    public async Task ASha512Blob_IsPushedAndPulledByItsSha512Digest()
    {
        var name = NewName();
        var blob = TestBlob.Random(1000);
        var digest = Digest.Compute(blob.Bytes, DigestAlgorithm.Sha512);
        var location = await Registry.StartUploadAsync(name);
        using (var put = await Registry.Http.PutAsync(WithDigest(location, digest), new ByteArrayContent(blob.Bytes)))
        {
            Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.Created), await put.Content.ReadAsStringAsync());
        }

        using var get = await Registry.Http.GetAsync($"/v2/{name}/blobs/{digest}");
        Assert.That(await get.Content.ReadAsByteArrayAsync(), Is.EqualTo(blob.Bytes));
    }
}
