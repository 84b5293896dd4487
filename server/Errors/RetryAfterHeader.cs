using System.Globalization;

namespace Berth.Server.Errors;

/// <summary>
/// The <c>Retry-After</c> header of a refusal that ends by itself (RFC 9110, section 10.2.3), on both APIs: whole
/// seconds, rounded up, so that a client that waits as long is accepted.
/// </summary>
public static class RetryAfterHeader
{
    public const string Name = "Retry-After";

    public static string Value(TimeSpan wait) => ((long)Math.Ceiling(Math.Max(wait.TotalSeconds, 1))).ToString(CultureInfo.InvariantCulture);
}
