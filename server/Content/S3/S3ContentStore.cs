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
    /// <summary>Files up to this size go up in one PutObject; larger ones in parts of at least this size.</summary>
    internal const long PartBytes = 64L * 1024 * 1024;

    private const int MaxParts = 10_000;

    // What a redirected client is told it gets, as a blob served through Berth is.
    private const string ObjectType = "application/octet-stream";
    private const string ContentFolder = "content/";

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
        if (size <= PartBytes)
        {
            await client.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = Key(digest), FilePath = sourcePath, ContentType = ObjectType }, cancellationToken);
        }
        else
        {
            await PutInPartsAsync(Key(digest), sourcePath, size, cancellationToken);
        }

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
        var request = new ListObjectsV2Request { BucketName = Bucket, Prefix = ContentPrefix };
        while (true)
        {
            var response = await client.ListObjectsV2Async(request, cancellationToken);
            var page = (response.S3Objects ?? []).Select(o => new ContentEntry(
                o.Key, DigestOf(o.Key), o.Size ?? 0, o.LastModified is { } modified ? new DateTimeOffset(modified.ToUniversalTime()) : DateTimeOffset.MinValue)).ToList();
            if (page.Count > 0)
            {
                yield return page;
            }

            if (response.IsTruncated != true)
            {
                yield break;
            }

            request.ContinuationToken = response.NextContinuationToken;
        }
    }

    /// <summary>A listing of one key: the bucket answers and these credentials may read it. Whether they may write shows at the first push.</summary>
    public async Task<ContentStoreProbe> ProbeAsync(CancellationToken cancellationToken)
    {
        try
        {
            await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket, Prefix = ContentPrefix, MaxKeys = 1 }, cancellationToken);
            return new ContentStoreProbe(true, null, null);
        }
        catch (Exception e) when (e is AmazonServiceException or HttpRequestException or IOException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new ContentStoreProbe(false, null, $"bucket '{Bucket}' at {options.ServiceUrl ?? $"AWS S3 ({options.Region})"} does not answer: {e.Message}: check Berth:Content:S3 and that the object store is running");
        }
    }

    private string Key(Digest digest) => $"{ContentPrefix}{digest.Algorithm.Name}/{digest.Encoded[..2]}/{digest.Encoded}";

    /// <summary>The digest a key under the content prefix is named by, or <see langword="null"/> for a key that has no business there.</summary>
    private Digest? DigestOf(string key)
    {
        var parts = key[ContentPrefix.Length..].Split('/');
        return parts.Length == 3 && parts[1].Length == 2 && parts[2].StartsWith(parts[1], StringComparison.Ordinal) &&
               Digest.TryParse($"{parts[0]}:{parts[2]}", out var digest)
            ? digest
            : null;
    }

    private async Task PutInPartsAsync(string key, string sourcePath, long size, CancellationToken cancellationToken)
    {
        // S3 takes at most 10,000 parts: a very large file gets larger parts.
        var partBytes = Math.Max(PartBytes, (size + MaxParts - 1) / MaxParts);
        var upload = await client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = Bucket, Key = key, ContentType = ObjectType }, cancellationToken);
        try
        {
            var parts = new List<PartETag>();
            for (long offset = 0, number = 1; offset < size; offset += partBytes, number++)
            {
                var part = await client.UploadPartAsync(
                    new UploadPartRequest
                    {
                        BucketName = Bucket,
                        Key = key,
                        UploadId = upload.UploadId,
                        PartNumber = (int)number,
                        FilePath = sourcePath,
                        FilePosition = offset,
                        PartSize = Math.Min(partBytes, size - offset),
                    },
                    cancellationToken);
                parts.Add(new PartETag((int)number, part.ETag));
            }

            await client.CompleteMultipartUploadAsync(
                new CompleteMultipartUploadRequest { BucketName = Bucket, Key = key, UploadId = upload.UploadId, PartETags = parts }, cancellationToken);
        }
        catch
        {
            // Parts left behind cost storage until aborted; nothing reached the key.
            await client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = Bucket, Key = key, UploadId = upload.UploadId }, CancellationToken.None);
            throw;
        }
    }
}
