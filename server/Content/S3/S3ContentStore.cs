using System.Net;
using System.Runtime.CompilerServices;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Berth.Server.Configuration;
using Docker.Common.Digests;

namespace Berth.Server.Content.S3;

/// <summary>
/// Content in a bucket of an S3-compatible object store, at <c>PREFIX content/ALG/HH/HEX</c> (the data folder's layout).
/// Content reaches its key only once verified, in one PutObject or one CompleteMultipartUpload, each of which S3 makes
/// visible whole or not at all: a key holds the whole content or nothing, whatever crashes in between.
/// </summary>
public sealed class S3ContentStore(IAmazonS3 client, S3ContentOptions options, TimeProvider clock) : IContentStore
{
    // What a redirected client is told it gets, as a blob served through Berth is.
    private const string ObjectType = System.Net.Mime.MediaTypeNames.Application.Octet;
    private const string ContentFolder = "content/";

    private static readonly TimeSpan ProbeBound = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan ProbeKept = TimeSpan.FromSeconds(2);

    private volatile ProbeAnswer? _probe;

    private string Bucket => options.Bucket!;

    private string ContentPrefix => options.Prefix + ContentFolder;

    public async Task<long?> SizeAsync(Digest digest, CancellationToken cancellationToken)
    {
        try
        {
            var metadata = await client.GetObjectMetadataAsync(Bucket, Key(digest), cancellationToken);
            return metadata.ContentLength;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public async Task<long> ImportFileAsync(Digest digest, string sourcePath, CancellationToken cancellationToken)
    {
        var size = await CopyFileAsync(digest, sourcePath, cancellationToken);
        File.Delete(sourcePath);
        return size;
    }

    public async Task<long> CopyFileAsync(Digest digest, string sourcePath, CancellationToken cancellationToken)
    {
        // Asked first: a layer already stored is not sent again.
        if (await SizeAsync(digest, cancellationToken) is { } stored)
        {
            return stored;
        }

        var size = new FileInfo(sourcePath).Length;
        await S3FileUpload.PutAsync(client, Bucket, Key(digest), sourcePath, 0, size, ObjectType, cancellationToken);
        return size;
    }

    public async Task<long> PutAsync(Digest digest, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        // Small documents (manifests): putting identical bytes again costs less than asking first.
        using var stream = new MemoryStream(content.ToArray(), writable: false);
        await client.PutObjectAsync(
            new PutObjectRequest { BucketName = Bucket, Key = Key(digest), InputStream = stream, AutoCloseStream = false, ContentType = ObjectType }, cancellationToken);
        return content.Length;
    }

    public async Task<ContentRead?> OpenReadAsync(Digest digest, ByteRange? range, CancellationToken cancellationToken)
    {
        var request = new GetObjectRequest { BucketName = Bucket, Key = Key(digest) };
        if (range is { } part)
        {
            request.ByteRange = new Amazon.S3.Model.ByteRange(part.Offset, part.Last);
        }

        try
        {
            var response = await client.GetObjectAsync(request, cancellationToken);
            if (range is { } asked && response.ContentLength != asked.Length)
            {
                // A store that ignored the range would have Berth answer a 206 with the wrong bytes.
                response.Dispose();
                throw new IOException($"the object store answered {response.ContentLength} bytes for a range of {asked.Length}");
            }

            return new ContentRead(new S3ObjectStream(response), response.ContentLength);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public Uri? DirectUrl(Digest digest)
    {
        if (!options.Redirect)
        {
            return null;
        }

        var url = client.GetPreSignedURL(new GetPreSignedUrlRequest
        {
            BucketName = Bucket,
            Key = Key(digest),
            Verb = HttpVerb.GET,
            Expires = clock.GetUtcNow().Add(options.RedirectLifetime).UtcDateTime,
            Protocol = options.ServiceUrl is { } service && service.StartsWith("http://", StringComparison.OrdinalIgnoreCase) ? Protocol.HTTP : Protocol.HTTPS,
        });
        return new Uri(url);
    }

    public async Task<long> DeleteAsync(Digest digest, CancellationToken cancellationToken)
    {
        if (await SizeAsync(digest, cancellationToken) is not { } size)
        {
            return 0;
        }

        await client.DeleteObjectAsync(Bucket, Key(digest), cancellationToken);
        return size;
    }

    /// <summary>The bucket's listing under the content prefix, a page (at most 1000 keys, in key order) at a time.</summary>
    public async IAsyncEnumerable<IReadOnlyList<ContentEntry>> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var page in S3Listing.PagesAsync(client, Bucket, ContentPrefix, cancellationToken))
        {
            // An object without a time is taken as stored now: the grace period protects it, rather than making it look old.
            yield return [.. page.Select(o => new ContentEntry(
                o.Key, DigestOf(o.Key), o.Size ?? 0, o.LastModified is { } modified ? new DateTimeOffset(modified.ToUniversalTime()) : clock.GetUtcNow()))];
        }
    }

    /// <summary>
    /// A listing of one key, within a few seconds: the bucket answers and these credentials may read it (whether they may
    /// write shows at the first push). Its answer is kept a couple of seconds: status is open to anyone, and a listing
    /// is a billed request.
    /// </summary>
    public async Task<ContentStoreProbe> ProbeAsync(CancellationToken cancellationToken)
    {
        if (_probe is { } recent && clock.GetUtcNow() - recent.At < ProbeKept)
        {
            return recent.Probe;
        }

        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(ProbeBound);
        ContentStoreProbe probe;
        try
        {
            await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket, Prefix = ContentPrefix, MaxKeys = 1 }, bounded.Token);
            probe = new ContentStoreProbe(true, null, null);
        }
        catch (Exception e) when (e is AmazonServiceException or AmazonClientException or HttpRequestException or IOException or OperationCanceledException &&
                                  !cancellationToken.IsCancellationRequested)
        {
            var reason = e is OperationCanceledException ? $"no answer within {ProbeBound.TotalSeconds:F0} s" : e.Message;
            probe = new ContentStoreProbe(
                false,
                null,
                "the bucket does not answer: check Berth:Content:S3 and that the object store is running; the server's log names the bucket and the error",
                $"bucket '{Bucket}' at {options.ServiceUrl ?? $"AWS S3 ({options.Region})"} does not answer: {reason}: check Berth:Content:S3 and that the object store is running");
        }

        _probe = new ProbeAnswer(probe, clock.GetUtcNow());
        return probe;
    }

    private sealed record ProbeAnswer(ContentStoreProbe Probe, DateTimeOffset At);

    private string Key(Digest digest) => ContentPrefix + string.Join('/', ContentAddress.Parts(digest));

    private Digest? DigestOf(string key) => ContentAddress.Parse(key[ContentPrefix.Length..].Split('/'));
}
