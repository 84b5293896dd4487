using Docker.Common.References;
using Microsoft.Extensions.Options;

namespace Berth.Server.Configuration;

/// <summary>Refuses to start with an upstream proxied by name that could never be pulled from, naming each setting at fault.</summary>
public sealed class PullThroughValidation : IValidateOptions<BerthOptions>
{
    public ValidateOptionsResult Validate(string? name, BerthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = Problems(options.PullThrough).ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    private static IEnumerable<string> Problems(List<PullThroughPrefixOptions> prefixes)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < prefixes.Count; i++)
        {
            var (prefix, setting) = (prefixes[i], $"{BerthOptions.Section}:PullThrough:{i}");
            if (prefix.Prefix is not { } text || !RegistryName.TryParse(text.TrimEnd('/'), out _, out _))
            {
                yield return $"{setting}:Prefix must be the first components of registry names, such as hub or mirrors/quay, not '{prefix.Prefix}'";
            }
            else if (!seen.Add(text.TrimEnd('/')))
            {
                yield return $"{setting}:Prefix '{text}' is proxied already by an entry before it";
            }

            if (!Uri.TryCreate(prefix.Feed, UriKind.Absolute, out var feed) || (feed.Scheme != Uri.UriSchemeHttp && feed.Scheme != Uri.UriSchemeHttps) || !string.IsNullOrEmpty(feed.UserInfo))
            {
                yield return $"{setting}:Feed must be the http or https address of the upstream registry (credentials in Username and Password), such as https://registry-1.docker.io";
            }

            if ((prefix.Username is null) != (prefix.Password is null))
            {
                yield return $"{setting}:Username and Password go together: set both, or neither";
            }

            if (prefix.TagRefreshSeconds is < 0)
            {
                yield return $"{setting}:TagRefreshSeconds must not be negative";
            }
        }
    }
}
