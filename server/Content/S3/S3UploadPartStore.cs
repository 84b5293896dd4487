using System.Net;
using System.Runtime.CompilerServices;
using Amazon.S3;
using Amazon.S3.Model;
using Berth.Server.Configuration;
using Berth.Server.Uploads;

namespace Berth.Server.Content.S3;

/// <summary>
/// Parts of uploads in the content bucket, at <c>PREFIX uploads/UPLOAD/NAME</c>: outside <c>content/</c>, so that
/// verification and the orphan sweep never see them.
/// </summary>
public sealed class S3UploadPartStore(IAmazonS3 client, S3ContentOptions options, TimeProvider clock) : IUploadPartStore
{
    private const string UploadsFolder = "uploads/";

    // DeleteObjects takes at most 1000 keys a request.
    private const int DeleteBatch = 1000;

    private string Bucket => options.Bucket!;

    private string UploadsPrefix => options.Prefix + UploadsFolder;

    public Task PutAsync(UploadId upload, string name, string sourcePath, long offset, long length, CancellationToken cancellationToken) =>
        S3FileUpload.PutAsync(client, Bucket, Key(upload, name), sourcePath, offset, length, System.Net.Mime.MediaTypeNames.Application.Octet, cancellationToken);

    public async Task<Stream> OpenReadAsync(UploadId upload, string name, CancellationToken cancellationToken)
    {
        try
        {
            return new S3ObjectStream(await client.GetObjectAsync(Bucket, Key(upload, name), cancellationToken));
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            throw new FileNotFoundException($"part {name} of upload {upload} is not in bucket '{Bucket}'", Key(upload, name), e);
        }
    }

    public async Task DeleteAsync(UploadId upload, IReadOnlyCollection<string> names, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(names);
        foreach (var batch in names.Chunk(DeleteBatch))
        {
            var response = await client.DeleteObjectsAsync(
                new DeleteObjectsRequest { BucketName = Bucket, Objects = [.. batch.Select(n => new KeyVersion { Key = Key(upload, n) })], Quiet = true },
                cancellationToken);
            if (response.DeleteErrors is { Count: > 0 } errors)
            {
                throw new IOException($"bucket '{Bucket}' kept {errors.Count} parts of upload {upload}: {errors[0].Key}: {errors[0].Code} {errors[0].Message}");
            }
        }
    }

    public async IAsyncEnumerable<IReadOnlyList<StoredUploadPart>> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var page in S3Listing.PagesAsync(client, Bucket, UploadsPrefix, cancellationToken))
        {
            var parts = new List<StoredUploadPart>();
            foreach (var stored in page)
            {
                // Keys that name no upload's part are not Berth's: they are left alone.
                if (stored.Key[UploadsPrefix.Length..].Split('/') is [var upload, { Length: > 0 } name] && UploadId.TryParse(upload, out var id))
                {
                    parts.Add(new StoredUploadPart(id, name, stored.LastModified is { } modified ? new DateTimeOffset(modified.ToUniversalTime()) : clock.GetUtcNow()));
                }
            }

            if (parts.Count > 0)
            {
                yield return parts;
            }
        }
    }

    private string Key(UploadId upload, string name) => $"{UploadsPrefix}{upload.Value}/{name}";
}
