using Microsoft.Extensions.Options;

namespace Berth.Server.Configuration;

/// <summary>An S3 content store needs its bucket, and both keys or neither: a server without them stops at start, saying so.</summary>
public sealed class ContentValidation : IValidateOptions<BerthOptions>
{
    public ValidateOptionsResult Validate(string? name, BerthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Content.Provider != ContentProvider.S3)
        {
            return ValidateOptionsResult.Success;
        }

        var s3 = options.Content.S3;
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(s3.Bucket))
        {
            problems.Add("Berth:Content:Provider is S3 but Berth:Content:S3:Bucket is not set: name an existing bucket, or remove the provider to keep content in the data folder");
        }

        if (string.IsNullOrEmpty(s3.AccessKey) != string.IsNullOrEmpty(s3.SecretKey))
        {
            problems.Add("set both Berth:Content:S3:AccessKey and Berth:Content:S3:SecretKey, or neither to use the AWS SDK's credential chain");
        }

        if (s3.ServiceUrl is { Length: > 0 } url && !Uri.TryCreate(url, UriKind.Absolute, out _))
        {
            problems.Add($"Berth:Content:S3:ServiceUrl '{url}' is not an absolute URL (e.g. http://127.0.0.1:7480)");
        }

        // A presigned URL is a bearer URL: it still works after the grant that let a client have it is revoked.
        if (s3.RedirectLifetime <= TimeSpan.Zero || s3.RedirectLifetime > TimeSpan.FromHours(1))
        {
            problems.Add("Berth:Content:S3:RedirectLifetime must be more than zero and at most an hour: a presigned URL keeps working after access is revoked");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
