using System.Runtime.CompilerServices;
using Amazon.S3;
using Amazon.S3.Model;

namespace Berth.Server.Content.S3;

/// <summary>A bucket's keys under a prefix, a page (at most 1000 keys, in key order) at a time, never the whole listing at once.</summary>
internal static class S3Listing
{
    public static async IAsyncEnumerable<IReadOnlyList<S3Object>> PagesAsync(
        IAmazonS3 client, string bucket, string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var request = new ListObjectsV2Request { BucketName = bucket, Prefix = prefix };
        while (true)
        {
            var response = await client.ListObjectsV2Async(request, cancellationToken);
            if (response.S3Objects is { Count: > 0 } page)
            {
                yield return page;
            }

            if (response.IsTruncated != true)
            {
                yield break;
            }

            // Without a token a truncated listing would start over, for ever.
            request.ContinuationToken = response.NextContinuationToken ??
                throw new IOException($"the object store cut the listing of bucket '{bucket}' short without saying where it goes on");
        }
    }
}
