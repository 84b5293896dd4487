using System.Net;
using System.Net.Http.Headers;
using Berth.Tests.Support;
using Docker.Common.Digests;
using NUnit.Framework;
using static Berth.Tests.Support.RegistryClient;

namespace Berth.Tests.Registry;

[TestFixture(ServerKind.InProcess)]
[TestFixture(ServerKind.Process)]
[TestFixture(ServerKind.Process, StorageBackend.PostgreSqlS3Streamed)]
[TestFixture(ServerKind.Process, StorageBackend.PostgreSqlS3)]
[TestFixture(ServerKind.Replicas, StorageBackend.PostgreSqlS3)]
public sealed class BlobTests(ServerKind kind, StorageBackend backend = StorageBackend.Default) : RegistryFixture(kind, backend)
{
    private readonly HttpClient _objectStore = new(new HttpClientHandler { AllowAutoRedirect = false });
    private string _name = null!;
    private TestBlob _blob = null!;

    [OneTimeTearDown]
    public void DisposeObjectStoreClient() => _objectStore.Dispose();

    /// <summary>
    /// A blob GET as clients make it: a 307 (the S3 store's <c>Redirect</c>) is followed to the object store without the
    /// registry's credentials. Returns the response the bytes came in, and the one Berth gave.
    /// </summary>
    private async Task<(HttpResponseMessage Final, HttpResponseMessage FromBerth)> PullAsync(string name, Digest digest, Action<HttpRequestMessage>? configure = null)
    {
        var fromBerth = await Registry.SendAsync(HttpMethod.Get, $"/v2/{name}/blobs/{digest}", configure: configure);
        if (fromBerth.StatusCode != HttpStatusCode.TemporaryRedirect)
        {
            return (fromBerth, fromBerth);
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, fromBerth.Headers.Location);
        configure?.Invoke(request);
        return (await _objectStore.SendAsync(request), fromBerth);
    }

    private async Task<byte[]> PulledBytesAsync(string name, Digest digest)
    {
        var (final, fromBerth) = await PullAsync(name, digest);
        using (final)
        using (fromBerth)
        {
            Assert.That(final.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            return await final.Content.ReadAsByteArrayAsync();
        }
    }

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
        var (response, fromBerth) = await PullAsync(_name, _blob.Digest);
        using (response)
        using (fromBerth)
        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(_blob.Bytes));
            Assert.That(Header(fromBerth, "Docker-Content-Digest"), Is.EqualTo(_blob.Digest.ToString()));
            Assert.That(response.Content.Headers.ContentLength, Is.EqualTo(100_000));
            Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("application/octet-stream"));
            Assert.That(
                fromBerth.StatusCode,
                Is.EqualTo(Backend == StorageBackend.PostgreSqlS3 ? HttpStatusCode.TemporaryRedirect : HttpStatusCode.OK),
                "only the S3 store with Redirect on sends clients to the object store");
        }
    }

    [Test]
    public async Task ARedirect_IsToAPresignedUrlOfTheObjectStore_ThatCredentialsAreNotNeededFor()
    {
        if (Backend != StorageBackend.PostgreSqlS3)
        {
            Assert.Ignore("only the S3 store redirects");
        }

        using var response = await Registry.SendAsync(HttpMethod.Get, $"/v2/{_name}/blobs/{_blob.Digest}");
        var location = response.Headers.Location!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(location.IsAbsoluteUri && location.Authority != Registry.Http.BaseAddress!.Authority, Is.True, location.ToString());
            Assert.That(location.Query, Does.Contain("X-Amz-Signature=").And.Contain("X-Amz-Expires="));
        }

        // The same address, its signature changed: the object store refuses it.
        var forged = new UriBuilder(location) { Query = location.Query.TrimStart('?').Replace("X-Amz-Signature=", "X-Amz-Signature=0", StringComparison.Ordinal) }.Uri;
        using var refused = await _objectStore.GetAsync(forged);
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
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
        var (response, fromBerth) = await PullAsync(_name, _blob.Digest, r => r.Headers.Range = new RangeHeaderValue(from, to));
        using (response)
        using (fromBerth)
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
        var (response, fromBerth) = await PullAsync(_name, _blob.Digest, r => r.Headers.Range = new RangeHeaderValue(null, 10));
        using (response)
        using (fromBerth)
        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.PartialContent));
            Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(_blob.Bytes[^10..]));
            Assert.That(response.Content.Headers.ContentRange!.ToString(), Is.EqualTo("bytes 99990-99999/100000"));
        }
    }

    [Test]
    public async Task Get_WithARangePastTheEnd_OrLongerThanTheBlob_IsCutAtItsEnd()
    {
        foreach (var range in new[] { new RangeHeaderValue(99_000, 500_000), new RangeHeaderValue(null, 500_000) })
        {
            var (response, fromBerth) = await PullAsync(_name, _blob.Digest, r => r.Headers.Range = range);
            using (response)
            using (fromBerth)
            using (Assert.EnterMultipleScope())
            {
                var from = range.Ranges.Single().From ?? 0;
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.PartialContent), range.ToString());
                Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(_blob.Bytes[(int)from..]), range.ToString());
                Assert.That(response.Content.Headers.ContentRange!.ToString(), Is.EqualTo($"bytes {from}-99999/100000"), range.ToString());
            }
        }
    }

    [Test]
    public async Task Get_WithAnIfRangeOfAnotherVersion_ServesTheWholeBlob()
    {
        var (response, fromBerth) = await PullAsync(_name, _blob.Digest, r =>
        {
            r.Headers.Range = new RangeHeaderValue(0, 9);
            r.Headers.TryAddWithoutValidation("If-Range", "\"sha256:0000\"");
        });
        using (response)
        using (fromBerth)
        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(_blob.Bytes));
        }
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

        // Before the range is looked at, even one the blob could not satisfy.
        using var withRange = await Registry.SendAsync(HttpMethod.Get, $"/v2/{_name}/blobs/{_blob.Digest}", configure: r =>
        {
            r.Headers.TryAddWithoutValidation("If-None-Match", $"\"{_blob.Digest}\"");
            r.Headers.Range = new RangeHeaderValue(200_000, 300_000);
        });
        Assert.That(withRange.StatusCode, Is.EqualTo(HttpStatusCode.NotModified));
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
        Assert.That(await PulledBytesAsync(other, blob.Digest), Is.EqualTo(blob.Bytes));
    }

    [Test]
    public async Task ABlobUploadedThroughTheContentApi_CanBePulled()
    {
        var repository = NewRepositoryId();
        await Api.CreateDockerRepositoryAsync(repository);
        var blob = TestBlob.Random(4096);
        await Api.ImportBlobAsync(repository, blob);
        Assert.That(await PulledBytesAsync(repository, blob.Digest), Is.EqualTo(blob.Bytes));
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

        Assert.That(await PulledBytesAsync(name, digest), Is.EqualTo(blob.Bytes));
    }
}
