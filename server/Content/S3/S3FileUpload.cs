using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Berth.Server.Content.S3;

/// <summary>
/// Sends part of a local file to one key: in one PutObject up to <see cref="PartBytes"/>, else as a multipart upload
/// completed at once. Either way S3 makes the key visible whole or not at all.
/// </summary>
internal static class S3FileUpload
{
    /// <summary>Files up to this size go up in one PutObject; larger ones in parts of at least this size.</summary>
    internal const long PartBytes = 64L * 1024 * 1024;

    private const int MaxParts = 10_000;

    public static async Task PutAsync(
        IAmazonS3 client, string bucket, string key, string sourcePath, long offset, long length, string contentType, CancellationToken cancellationToken)
    {
        if (length > PartBytes)
        {
            await PutInPartsAsync(client, bucket, key, sourcePath, offset, length, contentType, cancellationToken);
            return;
        }

        var request = new PutObjectRequest { BucketName = bucket, Key = key, ContentType = contentType };
        if (offset == 0 && new FileInfo(sourcePath).Length == length)
        {
            request.FilePath = sourcePath;
            await client.PutObjectAsync(request, cancellationToken);
            return;
        }

        await using var window = new FileRangeStream(sourcePath, offset, length);
        request.InputStream = window;
        request.AutoCloseStream = false;
        await client.PutObjectAsync(request, cancellationToken);
    }

    private static async Task PutInPartsAsync(
        IAmazonS3 client, string bucket, string key, string sourcePath, long start, long length, string contentType, CancellationToken cancellationToken)
    {
        // S3 takes at most 10,000 parts: a very large file gets larger parts.
        var partBytes = Math.Max(PartBytes, (length + MaxParts - 1) / MaxParts);
        var upload = await client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = bucket, Key = key, ContentType = contentType }, cancellationToken);
        try
        {
            var parts = new List<PartETag>();
            for (long sent = 0, number = 1; sent < length; sent += partBytes, number++)
            {
                var part = await client.UploadPartAsync(
                    new UploadPartRequest
                    {
                        BucketName = bucket,
                        Key = key,
                        UploadId = upload.UploadId,
                        PartNumber = (int)number,
                        FilePath = sourcePath,
                        FilePosition = start + sent,
                        PartSize = Math.Min(partBytes, length - sent),
                    },
                    cancellationToken);
                parts.Add(new PartETag((int)number, part.ETag));
            }

            await client.CompleteMultipartUploadAsync(
                new CompleteMultipartUploadRequest { BucketName = bucket, Key = key, UploadId = upload.UploadId, PartETags = parts }, cancellationToken);
        }
        catch
        {
            // Parts left behind cost storage until aborted (a bucket lifecycle rule catches what a crash leaves); nothing
            // reached the key. A failed abort must not hide why the upload failed.
            try
            {
                await client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = bucket, Key = key, UploadId = upload.UploadId }, CancellationToken.None);
            }
            catch (Exception e) when (e is AmazonServiceException or AmazonClientException or HttpRequestException or IOException)
            {
                // The original failure is what the caller needs to see.
            }

            throw;
        }
    }
}
