namespace Berth.Server.Configuration;

/// <summary>The <c>Berth:Content:S3</c> section.</summary>
public sealed class S3ContentOptions
{
    /// <summary>The object store's endpoint (e.g. <c>http://127.0.0.1:7480</c>); unset means AWS S3 in <see cref="Region"/>.</summary>
    public string? ServiceUrl { get; set; }

    /// <summary>The bucket content is kept in; it must exist (Berth does not create buckets).</summary>
    public string? Bucket { get; set; }

    /// <summary>The region signatures are made for; <c>us-east-1</c> suits most S3-compatible stores.</summary>
    public string Region { get; set; } = "us-east-1";

    /// <summary>Where under the bucket Berth's keys begin (e.g. <c>berth/</c>), so that a bucket can be shared; empty by default.</summary>
    public string Prefix { get; set; } = "";

    /// <summary>Bucket in the path (<c>http://host/bucket/key</c>) rather than the host name: what Ceph RGW and MinIO need.</summary>
    public bool ForcePathStyle { get; set; }

    /// <summary>The access key; with <see cref="SecretKey"/> unset too, the AWS SDK's usual chain (environment, profile, instance role) is asked.</summary>
    public string? AccessKey { get; set; }

    public string? SecretKey { get; set; }

    /// <summary>
    /// Whether blob GETs answer 307 with a presigned URL, so that clients fetch the bytes from the object store and
    /// not through Berth (as the reference registry does); off, Berth streams them itself.
    /// </summary>
    public bool Redirect { get; set; } = true;

    /// <summary>How long a presigned URL stays valid.</summary>
    public TimeSpan RedirectLifetime { get; set; } = TimeSpan.FromMinutes(20);
}
