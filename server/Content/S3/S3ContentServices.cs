using Amazon.Runtime;
using Amazon.S3;
using Berth.Server.Configuration;
using Berth.Server.Uploads;
using Microsoft.Extensions.Options;

namespace Berth.Server.Content.S3;

/// <summary>The S3 content store (<c>Berth:Content:Provider</c> = <c>S3</c>) and its client.</summary>
public static class S3ContentServices
{
    public static IServiceCollection AddS3Content(this IServiceCollection services)
    {
        services.AddSingleton<IAmazonS3>(sp => NewClient(sp.GetRequiredService<IOptions<BerthOptions>>().Value.Content.S3));
        services.AddSingleton(sp => new S3ContentStore(
            sp.GetRequiredService<IAmazonS3>(), sp.GetRequiredService<IOptions<BerthOptions>>().Value.Content.S3, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IContentStore>(sp => new TimedContentStore(sp.GetRequiredService<S3ContentStore>()));

        // Uploads in progress go to the bucket too, so that any server sharing it can continue them.
        services.AddSingleton<IUploadPartStore>(sp => new S3UploadPartStore(
            sp.GetRequiredService<IAmazonS3>(), sp.GetRequiredService<IOptions<BerthOptions>>().Value.Content.S3, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<SharedUploads>();
        return services;
    }

    /// <summary>
    /// A client for the configured store. Checksums only when an operation requires them: the SDK's default adds
    /// trailing checksums in chunked uploads that S3-compatible stores (Ceph RGW among them) refuse; the payload is
    /// still signed, and content was verified against its digest before it is sent.
    /// </summary>
    public static AmazonS3Client NewClient(S3ContentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = new AmazonS3Config
        {
            ForcePathStyle = options.ForcePathStyle,
            AuthenticationRegion = options.Region,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (options.ServiceUrl is { Length: > 0 } url)
        {
            config.ServiceURL = url;
        }
        else
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(options.Region);
        }

        return options.AccessKey is { Length: > 0 } accessKey
            ? new AmazonS3Client(new BasicAWSCredentials(accessKey, options.SecretKey), config)
            : new AmazonS3Client(config);
    }
}
