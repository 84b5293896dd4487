using System.Net;
using System.Security.Cryptography;
using Amazon.S3;
using Berth.Server.Configuration;
using Berth.Server.Content;
using Berth.Server.Content.S3;
using Berth.Tests.Support;
using Docker.Common.Digests;
using NUnit.Framework;

namespace Berth.Tests.Storage;

/// <summary>The content store contract on a bucket of the run's radosgw, and what only the S3 store does.</summary>
[TestFixture]
public sealed class S3ContentStoreTests : ContentStoreContract
{
    private RadosGateway _gateway = null!;
    private TempFolder _folder = null!;
    private AmazonS3Client _client = null!;
    private string _bucket = null!;

    [SetUp]
    public async Task OpenStore()
    {
        _gateway = await RadosGateway.SharedAsync();
        _bucket = await _gateway.CreateBucketAsync();
        _folder = new TempFolder();
        var options = Options(redirect: true);
        _client = S3ContentServices.NewClient(options);
        Store = new S3ContentStore(_client, options, TimeProvider.System);
    }

    [TearDown]
    public async Task CloseStore()
    {
        _client.Dispose();
        _folder.Dispose();
        await _gateway.DeleteBucketAsync(_bucket);
    }

    protected override string NewLocalFile(byte[] bytes)
    {
        var path = _folder.Combine(Guid.NewGuid().ToString("N"));
        File.WriteAllBytes(path, bytes);
        return path;
    }

    protected override async Task<string> AddStrayAsync(string name)
    {
        await _gateway.WriteObjectAsync(_bucket, $"berth/content/sha256/{name}", "x"u8.ToArray());
        return $"content/sha256/{name}";
    }

    [Test]
    public async Task AListingPastAThousandKeys_GoesOnToTheNextPages_WithEveryKeyOnce()
    {
        // A bucket answers at most 1,000 keys a page: verification and the orphan sweep must follow its continuation.
        var stored = new HashSet<string>();
        var contents = Enumerable.Range(0, 1_100).Select(i => System.Text.Encoding.UTF8.GetBytes($"listed {i}")).ToList();
        foreach (var batch in contents.Chunk(50))
        {
            await Task.WhenAll(batch.Select(bytes => Store.PutAsync(Digest.Compute(bytes), bytes, CancellationToken.None)));
        }

        stored.UnionWith(contents.Select(bytes => Digest.Compute(bytes).ToString()));
        var pages = 0;
        var listed = new List<string>();
        await foreach (var page in Store.ListAsync(CancellationToken.None))
        {
            pages++;
            listed.AddRange(page.Select(e => e.Digest!.Value.ToString()));
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(pages, Is.GreaterThanOrEqualTo(2), "the listing went past the first page");
            Assert.That(listed, Is.Unique);
            Assert.That(listed.ToHashSet(), Is.EquivalentTo(stored));
        }
    }

    [Test]
    public async Task Content_LandsAtItsKey_UnderThePrefix()
    {
        var bytes = "layout"u8.ToArray();
        var digest = Digest.Compute(bytes);
        await Store.PutAsync(digest, bytes, CancellationToken.None);
        Assert.That(await _gateway.ReadObjectAsync(_bucket, $"berth/content/sha256/{digest.Encoded[..2]}/{digest.Encoded}"), Is.EqualTo(bytes));
    }

    [Test]
    public async Task AFileLargerThanAPart_GoesUpInParts_AndNothingIsLeftInProgress()
    {
        var bytes = RandomNumberGenerator.GetBytes((int)S3FileUpload.PartBytes + 1000);
        var digest = Digest.Compute(bytes);
        Assert.That(await Store.ImportFileAsync(digest, NewLocalFile(bytes), CancellationToken.None), Is.EqualTo(bytes.Length));
        var read = await Store.OpenReadAsync(digest, new ByteRange(S3FileUpload.PartBytes - 10, 20), CancellationToken.None);
        await using (read)
        {
            var part = new byte[20];
            await read!.Stream.ReadExactlyAsync(part);
            Assert.That(part, Is.EqualTo(bytes[(int)(S3FileUpload.PartBytes - 10)..(int)(S3FileUpload.PartBytes + 10)]));
        }

        var uploads = await _client.ListMultipartUploadsAsync(_bucket);
        Assert.That(uploads.MultipartUploads ?? [], Is.Empty);
    }

    [Test]
    public async Task DirectUrl_IsAPresignedUrl_ThatServesTheContentAndItsRanges()
    {
        var bytes = RandomNumberGenerator.GetBytes(3000);
        var digest = Digest.Compute(bytes);
        await Store.PutAsync(digest, bytes, CancellationToken.None);
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, Store.DirectUrl(digest));
        request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(1000, 1999);
        using var response = await http.SendAsync(request);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.PartialContent));
            Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(bytes[1000..2000]));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/octet-stream"));
        }
    }

    [Test]
    public void DirectUrl_IsNone_WhenRedirectIsOff()
    {
        var store = new S3ContentStore(_client, Options(redirect: false), TimeProvider.System);
        Assert.That(store.DirectUrl(Digest.Compute("x"u8)), Is.Null);
    }

    [Test]
    public async Task Probe_NamesTheBucketForTheLog_AndNotForAnyone_WhenItDoesNotAnswer()
    {
        var options = Options(redirect: true);
        options.Bucket = "no-such-bucket";
        var probe = await new S3ContentStore(_client, options, TimeProvider.System).ProbeAsync(CancellationToken.None);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(probe.Writable, Is.False);
            Assert.That(probe.ForOperators, Does.Contain("no-such-bucket").And.Contain(_gateway.ServiceUrl), "the log and the console name the bucket");
            Assert.That(probe.Problem, Does.Not.Contain("no-such-bucket").And.Not.Contain(_gateway.ServiceUrl), "readiness is open to anyone: it names neither");
            Assert.That(probe.Problem, Does.Contain("Berth:Content:S3"), "but says what to check");
        }
    }

    private S3ContentOptions Options(bool redirect) => new()
    {
        ServiceUrl = _gateway.ServiceUrl,
        Bucket = _bucket,
        Prefix = "berth/",
        ForcePathStyle = true,
        AccessKey = _gateway.AccessKey,
        SecretKey = _gateway.SecretKey,
        Redirect = redirect,
    };
}
